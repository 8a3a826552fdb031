namespace Palisade.Dataplane.Nftables.Model;

/// <summary>What a verdict does with the packet.</summary>
public enum NftVerdictKind
{
    Accept,
    Drop,

    /// <summary><c>reject with tcp reset</c>: dropped, the sender told by a TCP reset.</summary>
    RejectTcpReset,

    /// <summary><c>reject with icmpx admin-prohibited</c>: dropped, the sender told by ICMP.</summary>
    RejectAdminProhibited,

    /// <summary>Back to the rule after the jump that led here.</summary>
    Return,

    /// <summary>To another chain, coming back at its end or on return.</summary>
    Jump,

    /// <summary>To another chain, not coming back.</summary>
    Goto,
}
