using System.Globalization;

namespace Palisade.Dataplane.Nftables.Model;

/// <summary>A transport protocol by number, written by its nft name where it has one.</summary>
public sealed record NftProtocol(byte Number) : NftValue
{
    public override string ToString() => Number switch
    {
        6 => "tcp",
        17 => "udp",
        132 => "sctp",
        1 => "icmp",
        58 => "ipv6-icmp",
        136 => "udplite",
        _ => Number.ToString(CultureInfo.InvariantCulture),
    };
}
