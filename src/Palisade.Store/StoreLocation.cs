namespace Palisade.Store;

/// <summary>Opens the store a server's <c>--store</c> names: <c>sqlite</c> (the default, under its data directory) or <c>etcd://HOST:PORT</c>.</summary>
public static class StoreLocation
{
    public static IRevisionedStore Open(string? store, string dataDirectory, StoreOptions? options = null) => store switch
    {
        null or "" or "sqlite" => SqliteStore.Open(dataDirectory, options),
        _ when store.StartsWith("etcd://", StringComparison.Ordinal) => EtcdStore.Connect(store, options),
        _ => throw new ArgumentException($"--store '{store}': expected sqlite or etcd://HOST:PORT", nameof(store)),
    };
}
