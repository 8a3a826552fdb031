namespace Palisade.Client;

/// <summary>
/// A request the API server answered with an error: the Kubernetes <c>Status</c> it sent (code, reason, message), or
/// for a server that is not reachable, code 0 and what went wrong.
/// </summary>
public sealed class ApiStatusException(int code, string reason, string message, Exception? innerException = null)
    : Exception(message, innerException)
{
    /// <summary>The HTTP status (404, 409, 410, ...), or 0 when no answer came.</summary>
    public int Code { get; } = code;

    /// <summary>The Status reason (NotFound, Conflict, Expired, ...), or Unreachable.</summary>
    public string Reason { get; } = reason;
}
