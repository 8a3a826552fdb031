using System.Text;
using Palisade.Dataplane.Nftables.Model;
using Palisade.Model;

namespace Palisade.Dataplane.Nftables.Transactions;

/// <summary>
/// The commands of one nftables transaction on one table, as data: serialized to nft syntax once, when it is sent to
/// the kernel (all or nothing), or applied to a table in memory with the kernel's checks.
/// </summary>
public sealed record NftTransaction(string Family, string Table, EquatableArray<NftCommand> Commands)
{
    public bool IsEmpty => Commands.IsEmpty;

    /// <summary>The transaction as nft commands, one a line (what libnftables runs).</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        var table = $"{Family} {Table}";
        foreach (var command in Commands)
        {
            command.Write(sb, table);
            sb.Append('\n');
        }

        return sb.ToString();
    }

    /// <summary>
    /// Applies the transaction to <paramref name="current"/> (null: no such table) in memory, refusing what the kernel
    /// refuses (a missing chain, set or element; a chain deleted while used; a set deleted while a rule reads it; a map
    /// key added again with another verdict). Returns the table afterwards (null when the transaction deleted it).
    /// </summary>
    /// <exception cref="NftablesException">A command the kernel would refuse; then nothing is applied.</exception>
    public NftTable? ApplyTo(NftTable? current)
    {
        var state = new KernelTable(Family, Table, current);
        foreach (var command in Commands)
        {
            try
            {
                command.Apply(state);
            }
            catch (InvalidOperationException e)
            {
                var sb = new StringBuilder();
                command.Write(sb, $"{Family} {Table}");
                throw new NftablesException($"{e.Message}: {sb}", ToString());
            }
        }

        return state.ToTable();
    }
}
