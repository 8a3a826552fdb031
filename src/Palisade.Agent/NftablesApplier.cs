using System.Collections.Concurrent;
using System.Diagnostics;
using Palisade.Dataplane.Nftables;
using Palisade.Linux;

namespace Palisade.Agent;

/// <summary>
/// The one writer to the kernel: a libnftables context opened in the node's network namespace on a thread of its own
/// and kept for the agent's life (opening one costs far more than a small transaction).
/// </summary>
public sealed class NftablesApplier : IRulesetApplier
{
    private readonly BlockingCollection<(string Commands, TaskCompletionSource<TimeSpan> Done)> queue = new();
    private readonly Thread writer;
    private readonly string? networkNamespace;

    /// <param name="networkNamespace">The namespace whose nftables to write (null: the process's own).</param>
    public NftablesApplier(string? networkNamespace)
    {
        this.networkNamespace = networkNamespace;
        writer = new Thread(WriterLoop) { IsBackground = true, Name = "nftables writer" };
        writer.Start();
    }

    public Task<TimeSpan> ApplyAsync(string commands, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        queue.Add((commands, done), cancellationToken);
        return done.Task;
    }

    private void WriterLoop()
    {
        NftablesContext? nft = null;
        try
        {
            if (networkNamespace is { } ns)
            {
                NetworkNamespace.Enter(ns);
            }

            nft = new NftablesContext();
            foreach (var (commands, done) in queue.GetConsumingEnumerable())
            {
                var started = Stopwatch.GetTimestamp();
                try
                {
                    nft.Run(commands);
                    done.SetResult(Stopwatch.GetElapsedTime(started));
                }
                catch (Exception e)
                {
                    done.SetException(e);
                }
            }
        }
        catch (Exception e)
        {
            // No namespace or no libnftables: every transaction, now and later, fails with the reason.
            foreach (var (_, done) in queue.GetConsumingEnumerable())
            {
                done.SetException(e);
            }
        }
        finally
        {
            nft?.Dispose();
        }
    }

    public void Dispose()
    {
        queue.CompleteAdding();
        writer.Join(TimeSpan.FromSeconds(5));
        queue.Dispose();
    }
}
