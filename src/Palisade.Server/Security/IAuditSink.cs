namespace Palisade.Server.Security;

/// <summary>Receives one record per request once it is answered (a log today; the signed audit log plugs in here).</summary>
public interface IAuditSink
{
    ValueTask WriteAsync(AuditRecord record, CancellationToken cancellationToken);
}
