namespace Palisade.Store;

/// <summary>
/// Keeps a store's history bounded: every <see cref="Interval"/> it compacts the store to the revision it saw one
/// interval earlier, so a watcher or a paged list may fall behind by up to one interval and still resume (as
/// kube-apiserver compacts etcd every five minutes, to the revision of its previous tick).
/// </summary>
/// <remarks>
/// Several servers sharing one etcd may each run a compactor: compacting at or before an earlier compaction does
/// nothing, so the store's history is the shortest any of them keeps, never shorter than one interval.
/// </remarks>
public sealed class StoreCompactor
{
    /// <summary>Kubernetes' default (kube-apiserver <c>--etcd-compaction-interval</c>).</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMinutes(5);

    private readonly IRevisionedStore _store;
    private readonly TimeProvider _time;
    private long _previous;

    public StoreCompactor(IRevisionedStore store, TimeSpan interval, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        _store = store;
        _time = time;
        Interval = interval;
    }

    public TimeSpan Interval { get; }

    /// <summary>The revision the last tick compacted to, 0 before the second tick.</summary>
    public long Compacted { get; private set; }

    /// <summary>
    /// One step: compacts to the revision the previous tick saw (none on the first tick), then remembers the current
    /// revision for the next. Returns the revision compacted to, or 0 when this tick compacted nothing.
    /// </summary>
    public async Task<long> TickAsync(CancellationToken cancellationToken)
    {
        var target = _previous;
        _previous = await _store.GetRevisionAsync(cancellationToken).ConfigureAwait(false);
        if (target <= Compacted)
        {
            return 0;
        }

        await _store.CompactAsync(target, cancellationToken).ConfigureAwait(false);
        Compacted = target;
        return target;
    }

    /// <summary>Ticks every <see cref="Interval"/> until cancelled; a failed tick is reported and the next one tries again.</summary>
    public async Task RunAsync(Action<Exception> onError, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(Interval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    await TickAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is StoreException or IOException or InvalidOperationException && !cancellationToken.IsCancellationRequested)
                {
                    onError(e);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }
}
