using System.Text;

namespace Palisade.Dataplane.Nftables.Transactions;

/// <summary><c>flush chain</c>: removes every rule of the chain.</summary>
public sealed record NftFlushChain(string Name) : NftCommand
{
    internal override void Write(StringBuilder sb, string table) => sb.Append("flush chain ").Append(table).Append(' ').Append(Name);

    internal override void Apply(KernelTable table) => table.FlushChain(Name);
}
