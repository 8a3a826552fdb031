using Palisade.Dataplane.Nftables;
using Palisade.Engine.Calculation;

namespace Palisade.Agent;

/// <summary>
/// Plans what the kernel must do to enforce the engine's current verdicts on a node: renders the node's whole table,
/// diffs it against the table last written, and turns the difference into one transaction (render plus diff is the
/// one path from a change to the kernel). Knows nothing of the kernel: it is told what was written, and what was lost.
/// </summary>
public sealed class TransactionPlanner(RulesetRenderer renderer, uint firstGeneration)
{
    private PlannedTransaction? written;
    private uint generation = firstGeneration;

    /// <summary>The transaction the kernel last took (null: none yet, or the kernel's table is unknown).</summary>
    public PlannedTransaction? Written => written;

    /// <summary>
    /// The transaction that brings the kernel to the engine's verdicts for these local endpoints; null when the kernel
    /// has them already. The first one, and the first after <see cref="Lost"/>, replaces the whole table.
    /// </summary>
    public PlannedTransaction? Plan(CalculationEngine engine, IReadOnlyList<RulesetRenderer.LocalEndpoint> locals)
    {
        var desired = renderer.Render(engine, locals, generation);
        if (written is not null && RulesetDiff.Transaction(written.Table, desired).Length == 0)
        {
            return null;
        }

        // A change to the rules: the next generation, so that connections are judged again on their next packet.
        var next = generation + 1;
        desired = RulesetRenderer.WithGeneration(desired, next);
        return written is null
            ? new PlannedTransaction(desired, next, RulesetDiff.Replace(desired), FullReload: true)
            : new PlannedTransaction(desired, next, RulesetDiff.Transaction(written.Table, desired), FullReload: false);
    }

    /// <summary>
    /// The same target as a full reload: Palisade's table deleted and created again with the whole desired ruleset,
    /// in one transaction, whatever the kernel holds now (for a diff the kernel refused: its table is not what was
    /// last written).
    /// </summary>
    public static PlannedTransaction FullReload(PlannedTransaction refused)
    {
        ArgumentNullException.ThrowIfNull(refused);
        return refused with { Commands = RulesetDiff.Replace(refused.Table), FullReload = true };
    }

    /// <summary>The kernel took the transaction: its table is the one to diff against from now on.</summary>
    public void Committed(PlannedTransaction transaction)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        written = transaction;
        generation = transaction.Generation;
    }

    /// <summary>The kernel's table is unknown (a full reload failed too): the next plan replaces it whole.</summary>
    public void Lost() => written = null;
}
