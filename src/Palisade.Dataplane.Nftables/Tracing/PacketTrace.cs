using Palisade.Dataplane.Nftables.Model;
using Palisade.Model;

namespace Palisade.Dataplane.Nftables.Tracing;

/// <summary>
/// Where a packet went through a table: the verdict, the rule that gave it (null when a base chain's policy did), every
/// rule matched on the way, the marks at the end, and the logs it reached.
/// </summary>
public sealed record PacketTrace(NftVerdict Verdict, TraceStep? DecidedBy, EquatableArray<TraceStep> Path, uint Mark, uint CtMark, EquatableArray<TracedLog> Logs)
{
    public bool Accepted => !Verdict.Drops;

    public override string ToString() =>
        $"{Verdict} by {(DecidedBy?.ToString() ?? "policy")}\n  path: {string.Join("\n        ", Path)}";
}
