namespace Palisade.Store;

/// <summary>Tuning shared by every backend.</summary>
/// <param name="WatchBuffer">Events a watcher may fall behind before it is ended with a
/// <see cref="WatcherTooSlowException"/> (Kubernetes' watch cache keeps a bounded channel per watcher the same way).</param>
public sealed record StoreOptions(int WatchBuffer = 4096)
{
    public static StoreOptions Default { get; } = new();
}
