using Palisade.Dataplane.Nftables.Model;

namespace Palisade.Dataplane.Nftables.Tracing;

/// <summary>A rule a traced packet matched: its chain, its place there, and the rule.</summary>
public sealed record TraceStep(string Chain, int Index, NftRule Rule)
{
    public override string ToString() => $"{Chain}[{Index}]: {Rule}";
}
