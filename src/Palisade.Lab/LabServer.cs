using System.Net;
using System.Net.Sockets;
using System.Text;
using Palisade.Model;

namespace Palisade.Lab;

/// <summary>
/// Serves every pod's ports from one process: a thread enters each pod's namespace in turn and opens a listening
/// socket on each of the pod's addresses and ports (sockets keep their namespace for life); then asynchronous loops
/// answer them all. A TCP connection gets <c>namespace/name\n</c> and is closed; a UDP datagram gets the same back.
/// </summary>
public sealed class LabServer : IAsyncDisposable
{
    private readonly List<(Socket Socket, byte[] Reply)> sockets;
    private readonly CancellationTokenSource stop = new();
    private readonly List<Task> loops = [];
    private readonly TextWriter log;

    private LabServer(List<(Socket, byte[])> sockets, TextWriter log)
    {
        this.sockets = sockets;
        this.log = TextWriter.Synchronized(log);
        foreach (var (socket, reply) in sockets)
        {
            loops.Add(socket.SocketType == SocketType.Dgram ? Task.Run(() => ServeUdpAsync(socket, reply, stop.Token)) : Task.Run(() => ServeStreamAsync(socket, reply, stop.Token)));
        }
    }

    /// <summary>How many sockets are open.</summary>
    public int SocketCount => sockets.Count;

    /// <summary>Opens every pod's sockets (throwing if any cannot be opened) and starts answering.</summary>
    public static LabServer Start(LabState state, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(state);
        var opened = new List<(Socket, byte[])>();
        try
        {
            NamespaceWork.Run(
                [.. state.Pods.Select(pod => (pod.Netns, (Action)(() =>
                {
                    var reply = Encoding.UTF8.GetBytes(pod.WorkloadId + "\n");
                    foreach (var ip in pod.Ips)
                    {
                        foreach (var port in pod.Ports)
                        {
                            opened.Add((Open(ip, port, pod), reply));
                        }
                    }
                })))],
                threads: 1);
        }
        catch
        {
            foreach (var (socket, _) in opened)
            {
                socket.Dispose();
            }

            throw;
        }

        return new LabServer(opened, log);
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync().ConfigureAwait(false);
        foreach (var (socket, _) in sockets)
        {
            socket.Dispose();
        }

        await Task.WhenAll(loops).ConfigureAwait(false);
        stop.Dispose();
    }

    private static Socket Open(IPAddress ip, PortSpec port, LabPod pod)
    {
        var (type, protocol) = port.Protocol.Number switch
        {
            6 => (SocketType.Stream, ProtocolType.Tcp),
            17 => (SocketType.Dgram, ProtocolType.Udp),
            132 => (SocketType.Stream, (ProtocolType)132),
            _ => throw new LabException($"{pod.WorkloadId} {port}: the lab serves TCP, UDP and SCTP only"),
        };
        var socket = new Socket(ip.AddressFamily, type, protocol);
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(new IPEndPoint(ip, port.Port));
            if (type == SocketType.Stream)
            {
                socket.Listen(512);
            }

            return socket;
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new LabException($"{pod.WorkloadId}: cannot listen on {ip} {port}: {e.Message}", e);
        }
    }

    private async Task ServeStreamAsync(Socket listener, byte[] reply, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await listener.AcceptAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                await log.WriteLineAsync($"accept on {listener.LocalEndPoint}: {e.Message}").ConfigureAwait(false);
                continue;
            }

            _ = ReplyAsync(connection, reply, cancellationToken);
        }
    }

    private static async Task ReplyAsync(Socket connection, byte[] reply, CancellationToken cancellationToken)
    {
        using (connection)
        {
            try
            {
                await connection.SendAsync(reply, cancellationToken).ConfigureAwait(false);
                connection.Shutdown(SocketShutdown.Send);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                // The client went away first; nothing to answer.
            }
        }
    }

    private async Task ServeUdpAsync(Socket socket, byte[] reply, CancellationToken cancellationToken)
    {
        var buffer = new byte[2048];
        EndPoint any = socket.AddressFamily == AddressFamily.InterNetworkV6 ? new IPEndPoint(IPAddress.IPv6Any, 0) : new IPEndPoint(IPAddress.Any, 0);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var received = await socket.ReceiveFromAsync(buffer, any, cancellationToken).ConfigureAwait(false);
                await socket.SendToAsync(reply, received.RemoteEndPoint, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                // An ICMP error for an earlier reply, or a peer that vanished: keep serving.
                await log.WriteLineAsync($"udp on {socket.LocalEndPoint}: {e.Message}").ConfigureAwait(false);
            }
        }
    }
}
