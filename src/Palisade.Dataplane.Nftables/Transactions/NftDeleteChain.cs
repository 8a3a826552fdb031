using System.Text;

namespace Palisade.Dataplane.Nftables.Transactions;

/// <summary><c>delete chain</c>: refused while the chain holds rules or something jumps to it.</summary>
public sealed record NftDeleteChain(string Name) : NftCommand
{
    internal override void Write(StringBuilder sb, string table) => sb.Append("delete chain ").Append(table).Append(' ').Append(Name);

    internal override void Apply(KernelTable table) => table.DeleteChain(Name);
}
