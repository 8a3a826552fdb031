namespace Palisade.Dataplane.Nftables.Model;

/// <summary>A chain as data: base chains carry their hook; regular chains are jumped to.</summary>
public sealed record NftChain(string Name, Palisade.Model.EquatableArray<NftRule> Rules)
{
    /// <summary>For base chains: <c>type filter hook forward priority filter; policy accept;</c>.</summary>
    public string? Hook { get; init; }
}
