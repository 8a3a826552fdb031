namespace Palisade.Store;

/// <summary>
/// A store operation refused for a reason the client can act on, with the Kubernetes status it maps to
/// (<see cref="Code"/> and <see cref="Reason"/> as in a <c>metav1.Status</c>).
/// </summary>
public abstract class StoreException(string message, int code, string reason, Exception? innerException = null)
    : Exception(message, innerException)
{
    /// <summary>The HTTP status code a server answers with.</summary>
    public int Code { get; } = code;

    /// <summary>The Kubernetes <c>StatusReason</c>: NotFound, AlreadyExists, Conflict, Expired, BadRequest.</summary>
    public string Reason { get; } = reason;
}
