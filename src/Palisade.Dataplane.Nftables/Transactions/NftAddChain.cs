using System.Text;
using Palisade.Dataplane.Nftables.Model;

namespace Palisade.Dataplane.Nftables.Transactions;

/// <summary><c>add chain</c>, with its hook for a base chain.</summary>
public sealed record NftAddChain(string Name, NftHook? Hook) : NftCommand
{
    internal override void Write(StringBuilder sb, string table)
    {
        sb.Append("add chain ").Append(table).Append(' ').Append(Name);
        if (Hook is not null)
        {
            sb.Append(" { ").Append(Hook).Append(" }");
        }
    }

    internal override void Apply(KernelTable table) => table.AddChain(Name, Hook);
}
