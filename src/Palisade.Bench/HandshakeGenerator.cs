using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Palisade.Dataplane.Nftables;
using Palisade.Linux;

namespace Palisade.Bench;

/// <summary>
/// Measures how many new TCP connections per second the router admits, without user-space TCP on either end: raw SYNs
/// from the client's own address to a server port, counted as the SYN-ACKs the router forwards back to the client.
/// </summary>
/// <remarks>
/// The client kernel has no socket for these SYNs, so it answers every SYN-ACK with a reset, which leaves the router's
/// conntrack entry closed; source ports cycle over a bounded range, and the next SYN on a closed tuple makes conntrack
/// drop the old entry and create a new one, so every SYN is judged by the whole ruleset and the table stays bounded.
/// The server answers from its listening socket (with syncookies when its SYN queue is full), all in the kernel.
/// </remarks>
internal static class HandshakeGenerator
{
    /// <summary>Source ports from here up, below the client's ephemeral range (32768 on), so no socket of the other measures shares a tuple.</summary>
    private const int FirstSourcePort = 10_000;

    /// <summary>Source ports in the cycle, split between the sending threads.</summary>
    private const int SourcePorts = 20_000;

    private const int IpHeaderLength = 20;
    private const int TcpHeaderLength = 24;

    /// <summary>What one measurement saw: SYNs handed to the kernel and SYN-ACKs forwarded back, over the sending time.</summary>
    internal readonly record struct Outcome(long SynsSent, long Answered, double Seconds)
    {
        public double AnsweredPerSecond => Answered / Seconds;
    }

    /// <summary>Sends SYNs to the server's <paramref name="port"/> for <paramref name="duration"/> from one thread per core.</summary>
    public static Outcome Measure(int port, TimeSpan duration, CancellationToken cancellationToken)
    {
        var threads = Math.Max(1, Environment.ProcessorCount);
        var portsPerThread = SourcePorts / threads;
        var sockets = new Socket[threads];
        var sent = new long[threads];
        var errors = new string?[threads];
        try
        {
            for (var t = 0; t < threads; t++)
            {
                // IPPROTO_RAW implies IP_HDRINCL: the kernel fills the IP checksum, total length and identification.
                sockets[t] = NetworkNamespace.Run(BenchTopology.Client, () => new Socket(AddressFamily.InterNetwork, SocketType.Raw, ProtocolType.Raw));
            }

            var destination = new IPEndPoint(BenchTopology.ServerAddress, 0).Serialize();
            var packets = Enumerable.Range(0, threads).Select(t => Packets(FirstSourcePort + (t * portsPerThread), portsPerThread, port)).ToArray();
            var before = TxPackets(BenchTopology.Router, BenchTopology.ClientInterface);
            var until = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);

            // A bound on the count too, far above what a core can send (about a million a second at best).
            var limit = (long)(duration.TotalSeconds * 20_000_000) + 1;
            var start = Stopwatch.GetTimestamp();
            var senders = Enumerable.Range(0, threads).Select(t => new Thread(() =>
            {
                var mine = packets[t];
                var socket = sockets[t];
                var count = 0L;
                var next = 0;
                for (var i = 0L; i < limit; i++)
                {
                    if ((i & 63) == 0 && (Stopwatch.GetTimestamp() >= until || cancellationToken.IsCancellationRequested))
                    {
                        break;
                    }

                    try
                    {
                        socket.SendTo(mine[next], SocketFlags.None, destination);
                        next = next + 1 == mine.Length ? 0 : next + 1;
                        count++;
                    }
                    catch (SocketException e)
                    {
                        // A full backlog on the way (ENOBUFS) is a packet not sent; it is not counted.
                        errors[t] = e.Message;
                    }
                }

                sent[t] = count;
            })
            { IsBackground = true, Name = $"SYN generator {t}" }).ToList();
            senders.ForEach(s => s.Start());
            senders.ForEach(s => s.Join());
            var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;

            // Packets still queued for a softirq when the senders stopped are answered within microseconds.
            Thread.Sleep(50);
            var answered = TxPackets(BenchTopology.Router, BenchTopology.ClientInterface) - before;
            var total = sent.Sum();
            if (total == 0)
            {
                throw new InvalidOperationException($"no SYN could be sent from {BenchTopology.Client}: {errors.FirstOrDefault(e => e is not null)}");
            }

            return new Outcome(total, answered, seconds);
        }
        finally
        {
            foreach (var s in sockets)
            {
                s?.Dispose();
            }
        }
    }

    /// <summary>One SYN per source port in [<paramref name="firstPort"/>, +<paramref name="count"/>), checksums done.</summary>
    private static byte[][] Packets(int firstPort, int count, int port)
    {
        var source = BenchTopology.ClientAddress.GetAddressBytes();
        var destination = BenchTopology.ServerAddress.GetAddressBytes();
        var packets = new byte[count][];
        for (var i = 0; i < count; i++)
        {
            var p = new byte[IpHeaderLength + TcpHeaderLength];
            p[0] = 0x45;
            p[6] = 0x40; // don't fragment
            p[8] = 64;
            p[9] = (byte)ProtocolType.Tcp;
            source.CopyTo(p, 12);
            destination.CopyTo(p, 16);
            var tcp = p.AsSpan(IpHeaderLength);
            BinaryPrimitives.WriteUInt16BigEndian(tcp, (ushort)(firstPort + i));
            BinaryPrimitives.WriteUInt16BigEndian(tcp[2..], (ushort)port);
            BinaryPrimitives.WriteUInt32BigEndian(tcp[4..], (uint)(firstPort + i) * 2_654_435_761u);
            tcp[12] = TcpHeaderLength / 4 << 4;
            tcp[13] = 0x02; // SYN
            BinaryPrimitives.WriteUInt16BigEndian(tcp[14..], 64_240);
            tcp[20] = 2; // MSS option, as a real client sends it
            tcp[21] = 4;
            BinaryPrimitives.WriteUInt16BigEndian(tcp[22..], 1460);
            BinaryPrimitives.WriteUInt16BigEndian(tcp[16..], TcpChecksum(source, destination, tcp));
            packets[i] = p;
        }

        return packets;
    }

    /// <summary>The TCP checksum over the IPv4 pseudo-header and the segment (whose checksum field is zero).</summary>
    internal static ushort TcpChecksum(ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination, ReadOnlySpan<byte> segment)
    {
        var sum = (uint)(BinaryPrimitives.ReadUInt16BigEndian(source) + BinaryPrimitives.ReadUInt16BigEndian(source[2..])
            + BinaryPrimitives.ReadUInt16BigEndian(destination) + BinaryPrimitives.ReadUInt16BigEndian(destination[2..])
            + (int)ProtocolType.Tcp + segment.Length);
        for (var i = 0; i + 1 < segment.Length; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(segment[i..]);
        }

        if (segment.Length % 2 == 1)
        {
            sum += (uint)segment[^1] << 8;
        }

        while (sum > 0xffff)
        {
            sum = (sum & 0xffff) + (sum >> 16);
        }

        return (ushort)~sum;
    }

    /// <summary>Packets a device in a namespace has sent, from <c>/proc/thread-self/net/dev</c> read by a thread inside it.</summary>
    private static long TxPackets(string netns, string device)
    {
        var text = NetworkNamespace.Run(netns, () => File.ReadAllText("/proc/thread-self/net/dev"));
        foreach (var line in text.Split('\n'))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line.AsSpan(0, colon).Trim().SequenceEqual(device))
            {
                // Receive: bytes packets errs drop fifo frame compressed multicast; then transmit: bytes packets ...
                var fields = line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return long.Parse(fields[9], CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException($"no device {device} in network namespace {netns}");
    }
}
