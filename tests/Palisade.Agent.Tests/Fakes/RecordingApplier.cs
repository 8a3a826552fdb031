using System.Collections.Concurrent;
using Palisade.Dataplane.Nftables;

namespace Palisade.Agent.Tests.Fakes;

/// <summary>
/// A kernel-less applier: records every transaction it is handed, and refuses as many of the next ones as a test asks
/// (as nftables does when its table is not what the transaction expects).
/// </summary>
internal sealed class RecordingApplier : IRulesetApplier
{
    private int refuse;

    /// <summary>Every transaction handed over, in order, with whether it was taken.</summary>
    public ConcurrentQueue<(string Commands, bool Taken)> Transactions { get; } = new();

    /// <summary>The next <paramref name="count"/> transactions are refused.</summary>
    public void RefuseNext(int count) => Volatile.Write(ref refuse, count);

    public Task<TimeSpan> ApplyAsync(string commands, CancellationToken cancellationToken)
    {
        if (Interlocked.Decrement(ref refuse) >= 0)
        {
            Transactions.Enqueue((commands, false));
            return Task.FromException<TimeSpan>(new NftablesException("Error: No such file or directory", commands));
        }

        Interlocked.Exchange(ref refuse, 0);
        Transactions.Enqueue((commands, true));
        return Task.FromResult(TimeSpan.FromMilliseconds(1));
    }

    public void Dispose()
    {
    }
}
