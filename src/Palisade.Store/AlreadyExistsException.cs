namespace Palisade.Store;

/// <summary>A create found the key already holding an object (409 AlreadyExists).</summary>
public sealed class AlreadyExistsException(string key, long modRevision)
    : StoreException($"{key} already exists (at revision {modRevision})", 409, "AlreadyExists")
{
    public string Key { get; } = key;
}
