using Palisade.Model;

namespace Palisade.Dataplane.Nftables.Model;

/// <summary>
/// One nftables rule as data: its statements in order (matches, counter, marks, log, verdict) and a comment naming
/// where it came from. Serialized once, when a transaction is written.
/// </summary>
public sealed record NftRule(EquatableArray<NftStatement> Statements, string? Comment = null)
{
    /// <summary>The rule's verdict (its last statement when that is one), or null for a rule that only marks or logs.</summary>
    public NftVerdict? Verdict => Statements.Count > 0 && Statements[^1] is NftVerdict v ? v : null;

    public override string ToString()
    {
        var text = string.Join(' ', Statements);
        return Comment is null ? text : $"{text} comment \"{Comment.Replace("\"", "'", StringComparison.Ordinal)}\"";
    }
}
