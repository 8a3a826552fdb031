using System.Text;

namespace Palisade.Dataplane.Nftables.Transactions;

/// <summary><c>delete set</c> or <c>delete map</c>: refused while a rule refers to it.</summary>
public sealed record NftDeleteSet(string Name, bool IsMap) : NftCommand
{
    internal override void Write(StringBuilder sb, string table) =>
        sb.Append(IsMap ? "delete map " : "delete set ").Append(table).Append(' ').Append(Name);

    internal override void Apply(KernelTable table) => table.DeleteSet(Name);
}
