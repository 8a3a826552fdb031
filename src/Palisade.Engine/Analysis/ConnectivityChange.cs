using System.Collections.Immutable;
using Palisade.Engine.Evaluation;
using Palisade.Model;
using Palisade.Model.Cluster;

namespace Palisade.Engine.Analysis;

/// <summary>
/// A group of pairs whose connectivity changed the same way between two policy sets, named by personalities: the
/// source and destination label sets (in their namespaces), not pair by pair.
/// </summary>
public sealed record ConnectivityChange(
    Personality From,
    Personality To,
    PortSpec Port,
    bool AllowedBefore,
    bool AllowedAfter,
    ImmutableArray<(Workload From, Workload To)> Pairs,
    FlowVerdict? Before,
    FlowVerdict? After)
{
    /// <summary>Pairs in the group, counting those with a network end (which <see cref="Pairs"/> leaves out).</summary>
    public int PairCount { get; init; } = Pairs.Length;

    /// <summary>"opened" when the change allows what was denied, "closed" when it denies what was allowed.</summary>
    public string Kind => AllowedAfter ? "opened" : "closed";
}
