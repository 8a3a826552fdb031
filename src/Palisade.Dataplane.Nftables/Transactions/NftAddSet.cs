using System.Text;
using Palisade.Dataplane.Nftables.Model;

namespace Palisade.Dataplane.Nftables.Transactions;

/// <summary><c>add set</c> or <c>add map</c> with the set's declaration (its elements are added apart).</summary>
public sealed record NftAddSet(NftSet Set) : NftCommand
{
    internal override void Write(StringBuilder sb, string table) =>
        sb.Append(Set.IsMap ? "add map " : "add set ").Append(table).Append(' ').Append(Set.Name).Append(" { ").Append(Set.Declaration).Append(" }");

    internal override void Apply(KernelTable table) => table.AddSet(Set with { Elements = [] });
}
