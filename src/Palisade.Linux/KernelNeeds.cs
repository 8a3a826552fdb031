namespace Palisade.Linux;

/// <summary>What a command that works on the kernel needs of this machine.</summary>
[Flags]
public enum KernelNeeds
{
    None = 0,

    /// <summary>Root (network namespaces, nftables and conntrack are the administrator's).</summary>
    Root = 1,

    /// <summary>The <c>ip</c> tool (iproute2), for namespaces and veths.</summary>
    Ip = 2,

    /// <summary>The <c>nft</c> tool.</summary>
    Nft = 4,

    /// <summary>The <c>conntrack</c> tool, to cut revoked connections.</summary>
    Conntrack = 8,

    /// <summary>libnftables, the library the data plane writes the kernel's rules through.</summary>
    Libnftables = 16,

    /// <summary>Everything an agent enforcing in a node's namespace needs.</summary>
    Agent = Root | Ip | Conntrack | Libnftables,
}
