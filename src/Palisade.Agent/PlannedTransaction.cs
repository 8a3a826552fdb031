using Palisade.Dataplane.Nftables.Model;

namespace Palisade.Agent;

/// <summary>One transaction for the kernel: the commands, and the table in force once the kernel has taken them.</summary>
/// <param name="Table">The whole desired table after the transaction.</param>
/// <param name="Generation">The table's generation (a new one re-judges every connection on its next packet).</param>
/// <param name="Commands">The nftables commands, one transaction.</param>
/// <param name="FullReload">Whether the commands replace Palisade's whole table rather than change what was last written.</param>
public sealed record PlannedTransaction(NftTable Table, uint Generation, string Commands, bool FullReload)
{
    /// <summary>How many commands the transaction holds.</summary>
    public int CommandCount => Commands.Count(c => c == '\n');
}
