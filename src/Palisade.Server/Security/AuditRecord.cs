namespace Palisade.Server.Security;

/// <summary>One answered request: when, who (null when not authenticated), what, and the status code it got.</summary>
public sealed record AuditRecord(DateTimeOffset At, UserInfo? User, string Method, ApiRequestAttributes Request, int Code, string? Client);
