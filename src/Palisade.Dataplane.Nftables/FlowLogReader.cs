using System.Buffers.Binary;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;

namespace Palisade.Dataplane.Nftables;

/// <summary>A packet the ruleset logged: the verdict prefix, the mark (deciding rule and direction), and the packet's tuple.</summary>
public sealed record LoggedPacket(string Prefix, uint Mark, IPAddress Source, IPAddress Destination, int Protocol, int SourcePort, int DestinationPort, DateTimeOffset Time);

/// <summary>
/// Reads packets the ruleset sends to an NFLOG group, over a netlink socket opened in the calling thread's network
/// namespace (nfnetlink_log: bind the group, copy the first bytes of each packet, parse prefix, mark and headers).
/// </summary>
public sealed partial class FlowLogReader : IDisposable
{
    private const int AfNetlink = 16;
    private const int SockRaw = 3;
    private const int NetlinkNetfilter = 12;
    private const ushort NfnlSubsysUlog = 4;
    private const ushort MsgPacket = 0;
    private const ushort MsgConfig = 1;
    private const ushort NlmFRequest = 1;
    private const ushort NlmFAck = 4;
    private const ushort CfgCmd = 1;
    private const ushort CfgMode = 2;
    private const ushort CfgQueueThreshold = 5;
    private const byte CmdBind = 1;
    private const byte CmdPfBind = 3;
    private const byte CopyPacket = 2;
    private const ushort AttrMark = 2;
    private const ushort AttrPayload = 9;
    private const ushort AttrPrefix = 10;
    private readonly int fd;
    private readonly TimeProvider time;
    private uint sequence;

    public FlowLogReader(ushort group, TimeProvider? time = null)
    {
        this.time = time ?? TimeProvider.System;
        fd = socket(AfNetlink, SockRaw, NetlinkNetfilter);
        if (fd < 0)
        {
            throw new InvalidOperationException($"cannot open a netfilter netlink socket: errno {Marshal.GetLastPInvokeError()}");
        }

        Span<byte> address = stackalloc byte[12];
        address.Clear();
        BinaryPrimitives.WriteUInt16LittleEndian(address, AfNetlink);
        unsafe
        {
            fixed (byte* a = address)
            {
                if (bind(fd, a, address.Length) != 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    _ = close(fd);
                    throw new InvalidOperationException($"cannot bind the netlink socket: errno {errno}");
                }
            }
        }

        // Older kernels want the address families bound too; newer ones accept and ignore it.
        Config(0, (byte)2, CfgCmd, [CmdPfBind]);
        Config(0, (byte)10, CfgCmd, [CmdPfBind]);
        Config(group, 0, CfgCmd, [CmdBind]);
        Span<byte> mode = stackalloc byte[6];
        BinaryPrimitives.WriteUInt32BigEndian(mode, 128);
        mode[4] = CopyPacket;
        mode[5] = 0;
        Config(group, 0, CfgMode, mode);

        // Deliver every packet at once (no batching), so flow records are timely.
        Span<byte> one = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(one, 1);
        Config(group, 0, CfgQueueThreshold, one);

        // A receive timeout lets the read loop notice cancellation.
        Span<byte> timeout = stackalloc byte[16];
        timeout.Clear();
        BinaryPrimitives.WriteInt64LittleEndian(timeout[8..], 200_000);
        unsafe
        {
            fixed (byte* t = timeout)
            {
                _ = setsockopt(fd, 1, 20, t, timeout.Length);
            }
        }
    }

    private void Config(ushort group, byte family, ushort attribute, ReadOnlySpan<byte> value)
    {
        var attrLength = 4 + value.Length;
        var length = 16 + 4 + Align(attrLength);
        Span<byte> msg = stackalloc byte[length];
        msg.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(msg, (uint)length);
        BinaryPrimitives.WriteUInt16LittleEndian(msg[4..], (ushort)((NfnlSubsysUlog << 8) | MsgConfig));
        BinaryPrimitives.WriteUInt16LittleEndian(msg[6..], NlmFRequest | NlmFAck);
        BinaryPrimitives.WriteUInt32LittleEndian(msg[8..], ++sequence);
        msg[16] = family;
        msg[17] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(msg[18..], group);
        BinaryPrimitives.WriteUInt16LittleEndian(msg[20..], (ushort)attrLength);
        BinaryPrimitives.WriteUInt16LittleEndian(msg[22..], attribute);
        value.CopyTo(msg[24..]);
        unsafe
        {
            fixed (byte* m = msg)
            {
                if (send(fd, m, (nint)msg.Length, 0) < 0)
                {
                    throw new InvalidOperationException($"cannot configure NFLOG: errno {Marshal.GetLastPInvokeError()}");
                }
            }
        }

        // Read the acknowledgement (an error message with code 0, or an error).
        Span<byte> ack = stackalloc byte[256];
        unsafe
        {
            fixed (byte* a = ack)
            {
                _ = recv(fd, a, (nint)ack.Length, 0);
            }
        }
    }

    /// <summary>Reads logged packets until cancelled, calling <paramref name="onPacket"/> for each.</summary>
    public void Run(Action<LoggedPacket> onPacket, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onPacket);
        var buffer = new byte[1 << 16];
        while (!cancellationToken.IsCancellationRequested)
        {
            nint n;
            unsafe
            {
                fixed (byte* b = buffer)
                {
                    n = recv(fd, b, buffer.Length, 0);
                }
            }

            if (n <= 0)
            {
                continue;
            }

            Parse(buffer.AsSpan(0, (int)n), onPacket);
        }
    }

    private void Parse(ReadOnlySpan<byte> data, Action<LoggedPacket> onPacket)
    {
        while (data.Length >= 16)
        {
            var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(data);
            if (length < 16 || length > data.Length)
            {
                return;
            }

            var type = BinaryPrimitives.ReadUInt16LittleEndian(data[4..]);
            if (type == ((NfnlSubsysUlog << 8) | MsgPacket) && length >= 20)
            {
                var packet = ParsePacket(data[20..length]);
                if (packet is not null)
                {
                    onPacket(packet);
                }
            }

            data = data[Math.Min(Align(length), data.Length)..];
        }
    }

    private LoggedPacket? ParsePacket(ReadOnlySpan<byte> attributes)
    {
        string prefix = string.Empty;
        uint mark = 0;
        ReadOnlySpan<byte> payload = default;
        while (attributes.Length >= 4)
        {
            var length = BinaryPrimitives.ReadUInt16LittleEndian(attributes);
            var type = (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(attributes[2..]) & 0x3fff);
            if (length < 4 || length > attributes.Length)
            {
                break;
            }

            var value = attributes[4..length];
            switch (type)
            {
                case AttrPrefix:
                    prefix = Encoding.ASCII.GetString(value).TrimEnd('\0');
                    break;
                case AttrMark when value.Length >= 4:
                    mark = BinaryPrimitives.ReadUInt32BigEndian(value);
                    break;
                case AttrPayload:
                    payload = value;
                    break;
            }

            attributes = attributes[Math.Min(Align(length), attributes.Length)..];
        }

        if (payload.Length < 20)
        {
            return null;
        }

        IPAddress source, destination;
        int protocol, offset;
        if (payload[0] >> 4 == 4)
        {
            offset = (payload[0] & 0x0f) * 4;
            protocol = payload[9];
            source = new IPAddress(payload[12..16]);
            destination = new IPAddress(payload[16..20]);
        }
        else if (payload[0] >> 4 == 6 && payload.Length >= 40)
        {
            offset = 40;
            protocol = payload[6];
            source = new IPAddress(payload[8..24]);
            destination = new IPAddress(payload[24..40]);
        }
        else
        {
            return null;
        }

        var (sport, dport) = (0, 0);
        if (protocol is 6 or 17 or 132 or 136 && payload.Length >= offset + 4)
        {
            sport = BinaryPrimitives.ReadUInt16BigEndian(payload[offset..]);
            dport = BinaryPrimitives.ReadUInt16BigEndian(payload[(offset + 2)..]);
        }

        return new LoggedPacket(prefix, mark, source, destination, protocol, sport, dport, time.GetUtcNow());
    }

    private static int Align(int length) => (length + 3) & ~3;

    public void Dispose() => _ = close(fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int socket(int domain, int type, int protocol);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int bind(int fd, byte* address, int length);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial nint send(int fd, byte* buffer, nint length, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial nint recv(int fd, byte* buffer, nint length, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int setsockopt(int fd, int level, int name, byte* value, int length);

    [LibraryImport("libc")]
    private static partial int close(int fd);
}
