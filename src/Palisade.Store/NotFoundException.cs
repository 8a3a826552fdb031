namespace Palisade.Store;

/// <summary>The key holds no object (404 NotFound).</summary>
public sealed class NotFoundException(string key)
    : StoreException($"{key} not found", 404, "NotFound")
{
    public string Key { get; } = key;
}
