using System.Text;

namespace Palisade.Dataplane.Nftables.Transactions;

/// <summary><c>add table</c>: creates the table unless it exists.</summary>
public sealed record NftAddTable : NftCommand
{
    internal override void Write(StringBuilder sb, string table) => sb.Append("add table ").Append(table);

    internal override void Apply(KernelTable table) => table.Exists = true;
}
