using System.Collections.Concurrent;
using System.Net.Sockets;
using Palisade.Dataplane.Nftables;
using Palisade.Linux;

namespace Palisade.Bench;

/// <summary>
/// Makes sockets in one network namespace from a thread that lives there, ahead of demand, so that load loops on the
/// thread pool get namespaced sockets without paying a thread per socket.
/// </summary>
public sealed class SocketFactory : IDisposable
{
    private readonly BlockingCollection<Socket> ready = new(boundedCapacity: 512);
    private readonly CancellationTokenSource stop = new();
    private readonly Thread maker;

    public SocketFactory(string netns)
    {
        maker = new Thread(() =>
        {
            NetworkNamespace.Enter(netns);
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, LingerState = new LingerOption(true, 0) };
                    ready.Add(s, stop.Token);
                }
            }
            catch (OperationCanceledException)
            {
            }
        })
        { IsBackground = true, Name = $"sockets in {netns}" };
        maker.Start();
    }

    public Socket Take() => ready.Take(stop.Token);

    public void Dispose()
    {
        stop.Cancel();
        maker.Join(TimeSpan.FromSeconds(2));
        while (ready.TryTake(out var s))
        {
            s.Dispose();
        }

        ready.Dispose();
        stop.Dispose();
    }
}
