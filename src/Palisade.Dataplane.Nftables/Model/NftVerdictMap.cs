using Palisade.Model;

namespace Palisade.Dataplane.Nftables.Model;

/// <summary>
/// A verdict looked up in a named map by the packet's fields (<c>iifname vmap @egress-o</c>); when the key is not in
/// the map, the rule does not match and the next rule is tried.
/// </summary>
public sealed record NftVerdictMap(EquatableArray<NftField> Key, string Map) : NftStatement
{
    public NftVerdictMap(NftField field, string map)
        : this([field], map)
    {
    }

    public override string ToString() => $"{NftSyntax.Key(Key)} vmap @{Map}";
}
