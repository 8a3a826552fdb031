namespace Palisade.Store;

/// <summary>
/// A list or watch asked for a revision the store has compacted away (410 Expired, "too old resource version"): the
/// client relists and watches from the list's revision.
/// </summary>
public sealed class GoneException(long requestedRevision, long compactedRevision, Exception? innerException = null)
    : StoreException(
        compactedRevision > 0
            ? $"revision {requestedRevision} is too old: the store is compacted at {compactedRevision}; list again"
            : $"revision {requestedRevision} is too old: the store is compacted past it; list again",
        410, "Expired", innerException)
{
    public long RequestedRevision { get; } = requestedRevision;

    /// <summary>The revision the store is compacted at, when the backend says (0 when it does not).</summary>
    public long CompactedRevision { get; } = compactedRevision;
}
