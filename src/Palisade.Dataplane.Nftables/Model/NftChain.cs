using Palisade.Model;

namespace Palisade.Dataplane.Nftables.Model;

/// <summary>A chain as data: base chains carry their hook; regular chains are jumped to.</summary>
public sealed record NftChain(string Name, EquatableArray<NftRule> Rules)
{
    /// <summary>For base chains: the hook, priority and policy.</summary>
    public NftHook? Hook { get; init; }
}
