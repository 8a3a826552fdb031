namespace Palisade.Dataplane.Nftables.Model;

/// <summary>
/// One nftables rule as data: its statements in order (matches, counter, marks, log, verdict) and a comment naming
/// where it came from. Serialized once, when a transaction is written.
/// </summary>
public sealed record NftRule(Palisade.Model.EquatableArray<string> Statements, string? Comment = null)
{
    public override string ToString()
    {
        var text = string.Join(' ', Statements);
        return Comment is null ? text : $"{text} comment \"{Comment.Replace("\"", "'", StringComparison.Ordinal)}\"";
    }
}
