using System.Text;

namespace Palisade.Dataplane.Nftables.Transactions;

/// <summary>
/// One command of a transaction, as data. It is written as nft syntax only when the transaction is serialized, and can
/// be applied to a table in memory (<see cref="NftTransaction.ApplyTo"/>) with the kernel's checks, for tests.
/// </summary>
public abstract record NftCommand
{
    /// <summary>Appends the command's nft syntax (without the line end) for the table named <paramref name="table"/> (<c>inet palisade</c>).</summary>
    internal abstract void Write(StringBuilder sb, string table);

    internal abstract void Apply(KernelTable table);
}
