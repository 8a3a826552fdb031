using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;
using Palisade.Model;

namespace Palisade.Lab;

/// <summary>
/// Probes lab traffic in-process: each probe's socket is made in its source pod's namespace by a thread that moves
/// from namespace to namespace, then connects (TCP, SCTP) or sends and awaits a reply (UDP) asynchronously, a bounded
/// number at a time. Tells a server's answer from a refusal (reached, nothing listening) and from silence (blocked).
/// </summary>
public sealed class LabProber
{
    private static readonly byte[] Payload = "palisade probe\n"u8.ToArray();
    private readonly Dictionary<string, LabPod> pods;
    private readonly ProbeOptions options;

    public LabProber(LabState state, ProbeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        pods = state.Pods.ToDictionary(p => p.WorkloadId, StringComparer.Ordinal);
        this.options = options ?? new ProbeOptions();
        if (this.options.Concurrency < 1 || this.options.Timeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("probes need a concurrency of at least 1 and a positive timeout", nameof(options));
        }
    }

    /// <summary>Runs one probe.</summary>
    public async Task<ProbeResult> ProbeAsync(ProbeRequest request, CancellationToken cancellationToken) =>
        (await ProbeAsync([request], cancellationToken).ConfigureAwait(false))[0];

    /// <summary>Runs the probes, <see cref="ProbeOptions.Concurrency"/> at a time; results are in the requests' order.</summary>
    public async Task<ProbeResult[]> ProbeAsync(IEnumerable<ProbeRequest> requests, CancellationToken cancellationToken)
    {
        var list = requests.ToList();
        var results = new ProbeResult[list.Count];
        if (list.Count == 0)
        {
            return results;
        }

        // Sockets are made ahead of the probes, but never more than twice the probes in flight (file descriptors).
        using var slots = new SemaphoreSlim(options.Concurrency * 2);
        var ready = Channel.CreateUnbounded<(int Index, Socket? Socket, ProbeResult? Early)>(new UnboundedChannelOptions { SingleWriter = true });
        var maker = new Thread(() => MakeSockets(list, slots, ready.Writer, cancellationToken)) { IsBackground = true, Name = "lab probe sockets" };
        maker.Start();
        var workers = Enumerable.Range(0, Math.Min(options.Concurrency, list.Count)).Select(_ => Task.Run(async () =>
        {
            await foreach (var (index, socket, early) in ready.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    results[index] = early ?? await ProbeOneAsync(list[index], socket!, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    // One probe's surprise must not stall the rest (the socket maker waits for released slots).
                    results[index] = new ProbeResult(list[index], ProbeOutcome.Failed, TimeSpan.Zero) { Error = e.Message };
                }
                finally
                {
                    socket?.Dispose();
                    slots.Release();
                }
            }
        }, cancellationToken)).ToList();
        try
        {
            await Task.WhenAll(workers).ConfigureAwait(false);
        }
        finally
        {
            while (ready.Reader.TryRead(out var left))
            {
                left.Socket?.Dispose();
            }
        }

        return results;
    }

    private void MakeSockets(List<ProbeRequest> list, SemaphoreSlim slots, ChannelWriter<(int, Socket?, ProbeResult?)> writer, CancellationToken cancellationToken)
    {
        string? current = null;
        try
        {
            foreach (var index in Enumerable.Range(0, list.Count).OrderBy(i => list[i].From, StringComparer.Ordinal))
            {
                slots.Wait(cancellationToken);
                var request = list[index];
                if (!pods.TryGetValue(request.From, out var pod))
                {
                    writer.TryWrite((index, null, new ProbeResult(request, ProbeOutcome.Failed, TimeSpan.Zero) { Error = $"{request.From} is not a lab pod" }));
                    continue;
                }

                if (request.Port.Protocol == Protocol.Sctp && !LocalLab.SctpSupported)
                {
                    writer.TryWrite((index, null, new ProbeResult(request, ProbeOutcome.Unsupported, TimeSpan.Zero) { Error = "this kernel has no SCTP" }));
                    continue;
                }

                var kind = request.Port.Protocol.Number switch
                {
                    6 => (SocketType.Stream, ProtocolType.Tcp),
                    17 => (SocketType.Dgram, ProtocolType.Udp),
                    132 => (SocketType.Stream, (ProtocolType)132),
                    _ => default((SocketType, ProtocolType)?),
                };
                if (kind is not var (type, protocol))
                {
                    writer.TryWrite((index, null, new ProbeResult(request, ProbeOutcome.Unsupported, TimeSpan.Zero) { Error = $"the lab probes TCP, UDP and SCTP, not {request.Port.Protocol}" }));
                    continue;
                }

                if (pod.Netns != current)
                {
                    NetworkNamespace.Enter(pod.Netns);
                    current = pod.Netns;
                }

                writer.TryWrite((index, new Socket(request.To.AddressFamily, type, protocol), null));
            }

            writer.TryComplete();
        }
        catch (Exception e)
        {
            writer.TryComplete(e);
        }
    }

    private async Task<ProbeResult> ProbeOneAsync(ProbeRequest request, Socket socket, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Timeout);
        var target = new IPEndPoint(request.To, request.Port.Port);
        try
        {
            var reply = socket.SocketType == SocketType.Dgram
                ? await ExchangeDatagramAsync(socket, target, timeout.Token).ConfigureAwait(false)
                : await ConnectAsync(socket, target, timeout.Token).ConfigureAwait(false);
            return new ProbeResult(request, ProbeOutcome.Connected, clock.Elapsed) { Reply = reply };
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new ProbeResult(request, ProbeOutcome.Timeout, clock.Elapsed);
        }
        catch (SocketException e)
        {
            var outcome = e.SocketErrorCode switch
            {
                SocketError.ConnectionRefused or SocketError.ConnectionReset => ProbeOutcome.Refused,
                SocketError.TimedOut => ProbeOutcome.Timeout,
                SocketError.HostUnreachable or SocketError.NetworkUnreachable or SocketError.HostDown or SocketError.NetworkDown => ProbeOutcome.Unreachable,
                _ => ProbeOutcome.Failed,
            };
            return new ProbeResult(request, outcome, clock.Elapsed) { Error = outcome == ProbeOutcome.Refused ? null : e.Message };
        }
    }

    /// <summary>Connects, then reads what the server says (its id) until it closes or the time is up.</summary>
    private static async Task<string?> ConnectAsync(Socket socket, IPEndPoint target, CancellationToken cancellationToken)
    {
        await socket.ConnectAsync(target, cancellationToken).ConfigureAwait(false);
        var buffer = new byte[256];
        var total = 0;
        try
        {
            while (total < buffer.Length)
            {
                var n = await socket.ReceiveAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }

                total += n;
                if (buffer[total - 1] == '\n')
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException)
        {
            // Connected is what counts; a server that says nothing (not the lab's) is still reached.
        }

        return total == 0 ? null : Encoding.UTF8.GetString(buffer, 0, total).TrimEnd('\n');
    }

    /// <summary>Sends a datagram and waits for the answer, sending again a few times in case one was lost.</summary>
    private async Task<string?> ExchangeDatagramAsync(Socket socket, IPEndPoint target, CancellationToken cancellationToken)
    {
        // A connected UDP socket hears the ICMP port-unreachable of a closed port, as ECONNREFUSED.
        await socket.ConnectAsync(target, cancellationToken).ConfigureAwait(false);
        var buffer = new byte[256];
        var resend = options.Timeout / 3;
        while (true)
        {
            await socket.SendAsync(Payload, cancellationToken).ConfigureAwait(false);
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attempt.CancelAfter(resend);
            try
            {
                var n = await socket.ReceiveAsync(buffer, attempt.Token).ConfigureAwait(false);
                return Encoding.UTF8.GetString(buffer, 0, n).TrimEnd('\n');
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // No answer yet: send again.
            }
        }
    }
}
