using System.Net;
using Palisade.Dataplane.Nftables.Model;

namespace Palisade.Dataplane.Nftables.Tracing;

/// <summary>
/// A packet as the table's rules see it: the interfaces it crosses, its addresses, protocol and ports (or ICMP type and
/// code), and its connection's state, direction and mark.
/// </summary>
public sealed record TracedPacket(string? InInterface, string? OutInterface, IPAddress Source, IPAddress Destination, byte Protocol, int SourcePort = 0, int DestinationPort = 0)
{
    public NftCtStates State { get; init; } = NftCtStates.New;

    /// <summary>The packet goes in the connection's reply direction.</summary>
    public bool Reply { get; init; }

    public uint CtMark { get; init; }

    public uint Mark { get; init; }

    public int? IcmpType { get; init; }

    public int? IcmpCode { get; init; }

    /// <summary>The reply to this packet on an established connection holding <paramref name="ctMark"/>.</summary>
    public TracedPacket ReplyTo(uint ctMark) => this with
    {
        InInterface = OutInterface,
        OutInterface = InInterface,
        Source = Destination,
        Destination = Source,
        SourcePort = DestinationPort,
        DestinationPort = SourcePort,
        State = NftCtStates.Established,
        Reply = true,
        CtMark = ctMark,
    };
}
