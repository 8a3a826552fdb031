namespace Palisade.Store;

/// <summary>
/// Hands each committed change to the watchers whose prefix it falls under, in revision order, and tells a new watcher
/// the last revision already handed out, so it reads the history up to there and the hub gives it everything after.
/// </summary>
internal sealed class WatchHub
{
    private readonly Lock _gate = new();
    private List<WatcherQueue> _watchers = [];
    private long _published;

    public WatchHub(long revision) => _published = revision;

    /// <summary>Registers a watcher; returns the revision through which it must read history itself.</summary>
    public long Subscribe(WatcherQueue watcher)
    {
        lock (_gate)
        {
            // Copy on write: publishing walks the list without allocating.
            _watchers = [.. _watchers, watcher];
            return _published;
        }
    }

    public void Unsubscribe(WatcherQueue watcher)
    {
        lock (_gate)
        {
            _watchers = [.. _watchers.Where(w => !ReferenceEquals(w, watcher))];
        }
    }

    /// <summary>Offers committed changes (in revision order) to every watcher; never waits for one.</summary>
    public void Publish(IReadOnlyList<WatchEvent> events, long revision)
    {
        lock (_gate)
        {
            foreach (var e in events)
            {
                foreach (var w in _watchers)
                {
                    if (!w.Ended && e.Object.Key.StartsWith(w.Prefix, StringComparison.Ordinal))
                    {
                        w.Offer(e);
                    }
                }
            }

            _published = revision;
        }
    }

    /// <summary>Ends every watcher (the store is closing).</summary>
    public void EndAll(Exception error)
    {
        lock (_gate)
        {
            foreach (var w in _watchers)
            {
                w.Fail(error);
            }
        }
    }
}
