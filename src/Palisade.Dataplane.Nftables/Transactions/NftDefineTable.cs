using System.Text;
using Palisade.Dataplane.Nftables.Model;

namespace Palisade.Dataplane.Nftables.Transactions;

/// <summary>A whole table as a script block: its sets with their elements, its chains with their rules.</summary>
public sealed record NftDefineTable(NftTable Table) : NftCommand
{
    internal override void Write(StringBuilder sb, string table) => sb.Append(Table.ToScript().TrimEnd('\n'));

    internal override void Apply(KernelTable table)
    {
        table.Exists = true;
        foreach (var set in Table.Sets.Values)
        {
            table.AddSet(set);
        }

        // A script's chains exist before its rules are read: rules may jump to chains defined after them.
        foreach (var chain in Table.Chains.Values)
        {
            table.AddChain(chain.Name, chain.Hook);
        }

        foreach (var set in Table.Sets.Values)
        {
            table.AddElements(set.Name, set.Elements);
        }

        foreach (var chain in Table.Chains.Values)
        {
            foreach (var rule in chain.Rules)
            {
                table.AddRule(chain.Name, rule);
            }
        }
    }
}
