using Microsoft.Extensions.Logging;

namespace Palisade.Server.Security;

/// <summary>The default audit sink: one structured log line per request, until the signed audit log replaces it.</summary>
internal sealed partial class LogAuditSink(ILogger<LogAuditSink> logger) : IAuditSink
{
    public ValueTask WriteAsync(AuditRecord record, CancellationToken cancellationToken)
    {
        Answered(logger, record.User?.Name ?? "(anonymous)", record.Request.Verb, record.Request.Path, record.Code);
        return ValueTask.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "{User} {Verb} {Path} -> {Code}")]
    private static partial void Answered(ILogger logger, string user, string verb, string path, int code);
}
