using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Palisade.Linux;

/// <summary>
/// A minimal rtnetlink client for the calling thread's network namespace: links up, addresses and routes, each
/// acknowledged by the kernel. In-process, because one <c>ip -n NS</c> process per namespace costs ~20 ms and a lab
/// has hundreds. Use it on the thread that created it (interface names resolve in that thread's namespace).
/// </summary>
public sealed partial class RouteNetlink : IDisposable
{
    public const byte ScopeUniverse = 0;
    public const byte ScopeLink = 253;

    private const int AfNetlink = 16;
    private const int SockRaw = 3;
    private const int SockCloexec = 0x80000;
    private const int NetlinkRoute = 0;
    private const ushort NlmsgError = 2;
    private const ushort FlagRequest = 0x1;
    private const ushort FlagAck = 0x4;
    private const ushort FlagExcl = 0x200;
    private const ushort FlagCreate = 0x400;
    private const ushort RtmNewLink = 16;
    private const ushort RtmNewAddr = 20;
    private const ushort RtmNewRoute = 24;
    private const ushort IflaMaster = 10;
    private const ushort IfaAddress = 1;
    private const ushort IfaLocal = 2;
    private const ushort RtaDst = 1;
    private const ushort RtaOif = 4;
    private const ushort RtaGateway = 5;
    private const byte IfaFlagNoDad = 0x02;
    private const uint IffUp = 0x1;
    private const byte TableMain = 254;
    private const byte ProtocolBoot = 3;
    private const byte TypeUnicast = 1;

    private readonly int fd;
    private readonly byte[] buffer = new byte[512];
    private readonly byte[] reply = new byte[8192];
    private int length;
    private uint sequence;

    public RouteNetlink()
    {
        fd = socket(AfNetlink, SockRaw | SockCloexec, NetlinkRoute);
        if (fd < 0)
        {
            throw new InvalidOperationException($"cannot open a netlink socket: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }
    }

    /// <summary>The index of an interface in this thread's namespace.</summary>
    public static int IndexOf(string name)
    {
        var index = if_nametoindex(name);
        return index != 0 ? (int)index : throw new InvalidOperationException($"no interface {name}");
    }

    /// <summary>Brings an interface up, optionally enslaving it to a bridge first (<c>ip link set NAME [master M] up</c>).</summary>
    public void SetUp(string name, string? master = null)
    {
        Begin(RtmNewLink, FlagRequest | FlagAck);
        U8(0);
        U8(0);
        U16(0);
        I32(IndexOf(name));
        U32(IffUp);
        U32(IffUp);
        if (master is not null)
        {
            Attribute(IflaMaster, BitConverter.GetBytes(IndexOf(master)));
        }

        Send($"link set {name} up");
    }

    /// <summary><c>ip addr add ADDRESS/PREFIX dev NAME [nodad]</c>.</summary>
    public void AddAddress(string name, IPAddress address, int prefix, bool noDad = false)
    {
        Begin(RtmNewAddr, FlagRequest | FlagAck | FlagCreate | FlagExcl);
        U8(Family(address));
        U8((byte)prefix);
        U8(noDad ? IfaFlagNoDad : (byte)0);
        U8(ScopeUniverse);
        I32(IndexOf(name));
        var bytes = address.GetAddressBytes();
        Attribute(IfaLocal, bytes);
        Attribute(IfaAddress, bytes);
        Send($"addr add {address}/{prefix} dev {name}");
    }

    /// <summary><c>ip route add DEST/PREFIX [via GATEWAY] [dev NAME] scope SCOPE</c>.</summary>
    public void AddRoute(IPAddress destination, int prefix, string? device, IPAddress? gateway, byte scope)
    {
        Begin(RtmNewRoute, FlagRequest | FlagAck | FlagCreate | FlagExcl);
        U8(Family(destination));
        U8((byte)prefix);
        U8(0);
        U8(0);
        U8(TableMain);
        U8(ProtocolBoot);
        U8(scope);
        U8(TypeUnicast);
        U32(0);
        if (prefix > 0)
        {
            Attribute(RtaDst, destination.GetAddressBytes());
        }

        if (gateway is not null)
        {
            Attribute(RtaGateway, gateway.GetAddressBytes());
        }

        if (device is not null)
        {
            Attribute(RtaOif, BitConverter.GetBytes(IndexOf(device)));
        }

        Send($"route add {destination}/{prefix}{(gateway is null ? string.Empty : $" via {gateway}")}{(device is null ? string.Empty : $" dev {device}")}");
    }

    public void Dispose() => _ = close(fd);

    private static byte Family(IPAddress address) => address.AddressFamily == AddressFamily.InterNetworkV6 ? (byte)10 : (byte)2;

    private void Begin(ushort type, int flags)
    {
        length = 16;
        MemoryMarshal.Write(buffer.AsSpan(4), type);
        MemoryMarshal.Write(buffer.AsSpan(6), (ushort)flags);
        MemoryMarshal.Write(buffer.AsSpan(8), ++sequence);
        MemoryMarshal.Write(buffer.AsSpan(12), 0u);
    }

    private void U8(byte value) => buffer[length++] = value;

    private void U16(ushort value)
    {
        MemoryMarshal.Write(buffer.AsSpan(length), value);
        length += 2;
    }

    private void U32(uint value)
    {
        MemoryMarshal.Write(buffer.AsSpan(length), value);
        length += 4;
    }

    private void I32(int value)
    {
        MemoryMarshal.Write(buffer.AsSpan(length), value);
        length += 4;
    }

    private void Attribute(ushort type, ReadOnlySpan<byte> payload)
    {
        U16((ushort)(4 + payload.Length));
        U16(type);
        payload.CopyTo(buffer.AsSpan(length));
        length += (payload.Length + 3) & ~3;
    }

    private void Send(string what)
    {
        MemoryMarshal.Write(buffer.AsSpan(0), (uint)length);
        if (send(fd, buffer, length, 0) != length)
        {
            throw new InvalidOperationException($"{what}: cannot send to netlink: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }

        while (true)
        {
            var n = (int)recv(fd, reply, reply.Length, 0);
            if (n < 0)
            {
                throw new InvalidOperationException($"{what}: cannot read from netlink: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
            }

            for (var offset = 0; offset + 16 <= n;)
            {
                var size = MemoryMarshal.Read<uint>(reply.AsSpan(offset));
                var type = MemoryMarshal.Read<ushort>(reply.AsSpan(offset + 4));
                var seq = MemoryMarshal.Read<uint>(reply.AsSpan(offset + 8));
                if (type == NlmsgError && seq == sequence)
                {
                    var error = MemoryMarshal.Read<int>(reply.AsSpan(offset + 16));
                    if (error != 0)
                    {
                        throw new InvalidOperationException($"{what}: {Marshal.GetPInvokeErrorMessage(-error)}");
                    }

                    return;
                }

                offset += (int)((size + 3) & ~3u);
                if (size == 0)
                {
                    break;
                }
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    private static partial int socket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "send", SetLastError = true)]
    private static partial nint send(int sockfd, byte[] buf, nint len, int flags);

    [LibraryImport("libc", EntryPoint = "recv", SetLastError = true)]
    private static partial nint recv(int sockfd, byte[] buf, nint len, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int close(int fd);

    [LibraryImport("libc", EntryPoint = "if_nametoindex", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial uint if_nametoindex(string name);
}
