using System.Text;
using Palisade.Dataplane.Nftables.Model;
using Palisade.Model;

namespace Palisade.Dataplane.Nftables.Transactions;

/// <summary><c>delete element</c>: elements of a set, or keys of a map; refused for one that is not there.</summary>
public sealed record NftDeleteElements(string Set, EquatableArray<NftValue> Keys) : NftCommand
{
    internal override void Write(StringBuilder sb, string table) =>
        sb.Append("delete element ").Append(table).Append(' ').Append(Set).Append(" { ").AppendJoin(", ", Keys).Append(" }");

    internal override void Apply(KernelTable table) => table.DeleteElements(Set, Keys);
}
