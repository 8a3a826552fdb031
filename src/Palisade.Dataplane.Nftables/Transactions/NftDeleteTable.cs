using System.Text;

namespace Palisade.Dataplane.Nftables.Transactions;

/// <summary><c>delete table</c>: removes the table with everything in it.</summary>
public sealed record NftDeleteTable : NftCommand
{
    internal override void Write(StringBuilder sb, string table) => sb.Append("delete table ").Append(table);

    internal override void Apply(KernelTable table) => table.Delete();
}
