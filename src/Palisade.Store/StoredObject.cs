namespace Palisade.Store;

/// <summary>An object as the store holds it: its key, its bytes, and the revisions that created and last changed it.</summary>
/// <param name="ModRevision">The revision of the object's last write: its resourceVersion.</param>
public sealed record StoredObject(string Key, byte[] Value, long CreateRevision, long ModRevision)
{
    /// <summary>Objects are equal when their keys, revisions and bytes are (records would compare the arrays by reference).</summary>
    public bool Equals(StoredObject? other) =>
        other is not null && Key == other.Key && CreateRevision == other.CreateRevision && ModRevision == other.ModRevision
        && Value.AsSpan().SequenceEqual(other.Value);

    public override int GetHashCode() => HashCode.Combine(Key, CreateRevision, ModRevision, Value.Length);
}
