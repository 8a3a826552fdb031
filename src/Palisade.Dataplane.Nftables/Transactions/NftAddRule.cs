using System.Text;
using Palisade.Dataplane.Nftables.Model;

namespace Palisade.Dataplane.Nftables.Transactions;

/// <summary><c>add rule</c>: appends a rule to a chain; refused when it names a chain, set or map that does not exist.</summary>
public sealed record NftAddRule(string Chain, NftRule Rule) : NftCommand
{
    internal override void Write(StringBuilder sb, string table) => sb.Append("add rule ").Append(table).Append(' ').Append(Chain).Append(' ').Append(Rule);

    internal override void Apply(KernelTable table) => table.AddRule(Chain, Rule);
}
