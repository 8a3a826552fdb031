using System.Text;
using Palisade.Dataplane.Nftables.Model;
using Palisade.Model;

namespace Palisade.Dataplane.Nftables.Transactions;

/// <summary><c>add element</c>: elements into a set, or keys with their verdicts into a map.</summary>
public sealed record NftAddElements(string Set, EquatableArray<NftElement> Elements) : NftCommand
{
    internal override void Write(StringBuilder sb, string table) =>
        sb.Append("add element ").Append(table).Append(' ').Append(Set).Append(" { ").AppendJoin(", ", Elements).Append(" }");

    internal override void Apply(KernelTable table) => table.AddElements(Set, Elements);
}
