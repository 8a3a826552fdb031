using System.Net;
using Palisade.Model.Cluster;

namespace Palisade.Engine.Calculation;

/// <summary>
/// The address word of an end (what rules naming IPv4 blocks read of it): its kind and IPv4 address in one 64-bit word,
/// with room for the endpoint flags the fast path keeps beside it (<see cref="HostNetworkBit"/>, <see cref="IdentityBit"/>).
/// </summary>
internal static class EndpointAddress
{
    /// <summary>Set in an endpoint's word when it is a host-network pod (an address, not a subject).</summary>
    public const ulong HostNetworkBit = 1UL << 34;

    /// <summary>Set in an endpoint's word when it has an identity (is a selector member).</summary>
    public const ulong IdentityBit = 1UL << 35;

    /// <summary>The address part of a word: the kind in bits 32-33, an IPv4 address below.</summary>
    public const ulong AddressBits = (1UL << 34) - 1;

    /// <summary>What is known of an end's address for rules naming IPv4 blocks.</summary>
    public enum AddressKind : uint
    {
        /// <summary>No end at all: no block holds it.</summary>
        Nothing = 0,

        /// <summary>A workload whose manifest gives no address: only a block holding every address holds it.</summary>
        Unknown = 1,

        /// <summary>One IPv4 address.</summary>
        V4 = 2,

        /// <summary>Several addresses, or IPv6: judged on the rule's full form.</summary>
        Other = 3,
    }

    /// <summary>The address word of an endpoint: its one address, none known, or several.</summary>
    public static ulong Word(Workload workload) => workload.Addresses.Count switch
    {
        0 => (ulong)AddressKind.Unknown << 32,
        1 => Word(workload.Addresses[0]),
        _ => (ulong)AddressKind.Other << 32,
    };

    /// <summary>The address word of one address.</summary>
    public static ulong Word(IPAddress address) => address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork
        ? ((ulong)AddressKind.V4 << 32) | V4Bits(address)
        : (ulong)AddressKind.Other << 32;

    /// <summary>An IPv4 address as a number, most significant octet first (what rules' blocks are compiled to compare with).</summary>
    public static uint V4Bits(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[4];
        address.TryWriteBytes(bytes, out _);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes);
    }
}
