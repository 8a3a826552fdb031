using System.Collections.Immutable;

namespace Palisade.Dataplane.Nftables.Model;

/// <summary>The whole desired ruleset of one table, as data: what the renderer makes and the differ compares.</summary>
public sealed record NftTable(string Family, string Name, ImmutableSortedDictionary<string, NftSet> Sets, ImmutableSortedDictionary<string, NftChain> Chains)
{
    /// <summary>Tables are equal when their sets and chains are (the dictionaries themselves compare by reference).</summary>
    public bool Equals(NftTable? other) =>
        other is not null && Family == other.Family && Name == other.Name && Sets.SequenceEqual(other.Sets) && Chains.SequenceEqual(other.Chains);

    public override int GetHashCode() => HashCode.Combine(Family, Name, Sets.Count, Chains.Count);

    /// <summary>The table as an <c>nft -f</c> script (for inspection and the first load).</summary>
    public string ToScript()
    {
        var sb = new System.Text.StringBuilder();
        sb.Append("table ").Append(Family).Append(' ').Append(Name).Append(" {\n");
        foreach (var set in Sets.Values)
        {
            sb.Append(set.IsMap ? "  map " : "  set ").Append(set.Name).Append(" { ").Append(set.Declaration);
            if (!set.Elements.IsEmpty)
            {
                sb.Append(" elements = { ").AppendJoin(", ", set.Elements).Append(" };");
            }

            sb.Append(" }\n");
        }

        foreach (var chain in Chains.Values)
        {
            sb.Append("  chain ").Append(chain.Name).Append(" {\n");
            if (chain.Hook is not null)
            {
                sb.Append("    ").Append(chain.Hook).Append('\n');
            }

            foreach (var rule in chain.Rules)
            {
                sb.Append("    ").Append(rule).Append('\n');
            }

            sb.Append("  }\n");
        }

        sb.Append("}\n");
        return sb.ToString();
    }
}
