using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Palisade.Store;

/// <summary>
/// One watcher's bounded buffer between the side that produces its events and its reader. Producers never wait: an
/// event that does not fit ends the watcher with a <see cref="WatcherTooSlowException"/>, which its reader gets after
/// the events already buffered.
/// </summary>
internal sealed class WatcherQueue(string prefix, int capacity)
{
    private readonly Channel<WatchEvent> _events = Channel.CreateBounded<WatchEvent>(
        new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    private Exception? _error;

    public string Prefix { get; } = prefix;

    /// <summary>Whether the watcher has ended (too slow, failed, or completed); a producer may then forget it.</summary>
    public bool Ended => _events.Reader.Completion.IsCompleted || Volatile.Read(ref _error) is not null;

    /// <summary>Queues an event without waiting; false when the watcher has ended (now or before).</summary>
    public bool Offer(WatchEvent e)
    {
        if (_events.Writer.TryWrite(e))
        {
            return true;
        }

        Fail(new WatcherTooSlowException(Prefix, capacity));
        return false;
    }

    /// <summary>Ends the watcher with an error its reader gets after the buffered events (the first error wins).</summary>
    public void Fail(Exception error)
    {
        if (Interlocked.CompareExchange(ref _error, error, null) is null)
        {
            _events.Writer.TryComplete();
        }
    }

    /// <summary>The buffered events as they come, then the error that ended the watcher, if any.</summary>
    public async IAsyncEnumerable<WatchEvent> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (await _events.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (_events.Reader.TryRead(out var e))
            {
                yield return e;
            }
        }

        if (Volatile.Read(ref _error) is { } error)
        {
            throw error;
        }
    }
}
