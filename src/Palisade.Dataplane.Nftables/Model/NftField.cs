namespace Palisade.Dataplane.Nftables.Model;

/// <summary>A packet field a rule reads: payload (addresses, ports, ICMP), meta (interfaces, protocols, mark) or conntrack.</summary>
public enum NftField
{
    /// <summary><c>iifname</c>: the interface a packet came in through.</summary>
    IifName,

    /// <summary><c>oifname</c>: the interface a packet goes out through.</summary>
    OifName,

    /// <summary><c>meta nfproto</c>: ipv4 or ipv6.</summary>
    NfProto,

    /// <summary><c>meta l4proto</c>: the transport protocol.</summary>
    L4Proto,

    /// <summary><c>meta mark</c>: the packet's mark.</summary>
    Mark,

    /// <summary><c>ip saddr</c>.</summary>
    IpSaddr,

    /// <summary><c>ip daddr</c>.</summary>
    IpDaddr,

    /// <summary><c>ip6 saddr</c>.</summary>
    Ip6Saddr,

    /// <summary><c>ip6 daddr</c>.</summary>
    Ip6Daddr,

    /// <summary><c>th sport</c>: the transport header's source port.</summary>
    SourcePort,

    /// <summary><c>th dport</c>: the transport header's destination port.</summary>
    DestinationPort,

    /// <summary><c>icmp type</c>.</summary>
    IcmpType,

    /// <summary><c>icmp code</c>.</summary>
    IcmpCode,

    /// <summary><c>ct state</c>: new, established, related, invalid.</summary>
    CtState,

    /// <summary><c>ct direction</c>: original or reply.</summary>
    CtDirection,

    /// <summary><c>ct mark</c>: the connection's mark.</summary>
    CtMark,
}
