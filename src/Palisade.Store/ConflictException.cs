namespace Palisade.Store;

/// <summary>
/// A write expected the object at one revision and found it at another (409 Conflict): the client read a stale
/// resourceVersion and must read the object again.
/// </summary>
public sealed class ConflictException(string key, long expectedRevision, long actualRevision)
    : StoreException(
        $"{key} was changed: the write expected revision {expectedRevision}, the object is at {actualRevision}; read it again and retry",
        409, "Conflict")
{
    public string Key { get; } = key;

    /// <summary>The revision the object is at now.</summary>
    public long ActualRevision { get; } = actualRevision;
}
