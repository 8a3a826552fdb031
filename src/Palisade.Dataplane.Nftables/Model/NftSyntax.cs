namespace Palisade.Dataplane.Nftables.Model;

/// <summary>The nft names of fields and data types, for serialization.</summary>
internal static class NftSyntax
{
    public static string Of(NftField field) => field switch
    {
        NftField.IifName => "iifname",
        NftField.OifName => "oifname",
        NftField.NfProto => "meta nfproto",
        NftField.L4Proto => "meta l4proto",
        NftField.Mark => "meta mark",
        NftField.IpSaddr => "ip saddr",
        NftField.IpDaddr => "ip daddr",
        NftField.Ip6Saddr => "ip6 saddr",
        NftField.Ip6Daddr => "ip6 daddr",
        NftField.SourcePort => "th sport",
        NftField.DestinationPort => "th dport",
        NftField.IcmpType => "icmp type",
        NftField.IcmpCode => "icmp code",
        NftField.CtState => "ct state",
        NftField.CtDirection => "ct direction",
        NftField.CtMark => "ct mark",
        _ => throw new ArgumentOutOfRangeException(nameof(field), field, "no nft name"),
    };

    public static string Of(NftType type) => type switch
    {
        NftType.IfName => "ifname",
        NftType.Ipv4Addr => "ipv4_addr",
        NftType.Ipv6Addr => "ipv6_addr",
        NftType.InetProto => "inet_proto",
        NftType.InetService => "inet_service",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "no nft name"),
    };

    public static string Key(IEnumerable<NftField> fields) => string.Join(" . ", fields.Select(Of));
}
