namespace Palisade.Dataplane.Nftables.Model;

/// <summary>The data type of one part of a set's key.</summary>
public enum NftType
{
    /// <summary><c>ifname</c>.</summary>
    IfName,

    /// <summary><c>ipv4_addr</c>.</summary>
    Ipv4Addr,

    /// <summary><c>ipv6_addr</c>.</summary>
    Ipv6Addr,

    /// <summary><c>inet_proto</c>.</summary>
    InetProto,

    /// <summary><c>inet_service</c>: a port.</summary>
    InetService,
}
