using System.Net;
using Palisade.Engine.Evaluation;
using Palisade.Model;
using Palisade.Model.Cluster;
using Palisade.Model.Policies;

namespace Palisade.Engine.Calculation;

/// <summary>Verdicts, answered by the <see cref="VerdictWalker"/> stage.</summary>
public sealed partial class CalculationEngine
{
    /// <summary>
    /// The handle of a workload for <see cref="Evaluate(int, int, Protocol, int)"/>; -1 when unknown. A handle holds
    /// while its workload is in the engine (an upsert of the same workload keeps it); once the workload is removed,
    /// the handle may be given to another, so it must be looked up again.
    /// </summary>
    public int EndpointHandle(string workloadId) => endpointIds.TryGetValue(workloadId, out var h) ? h : -1;

    /// <summary>Judges a flow between two endpoints (by handle) on a destination port.</summary>
    public FastVerdict Evaluate(int source, int destination, Protocol protocol, int port) =>
        walker.Evaluate(source, destination, protocol, port);

    /// <summary>
    /// Judges many flows between endpoints (by handle) on the same protocol: the bulk path of analysis. In a large
    /// engine, while one flow is judged, the data of flows a few places ahead is prefetched, so that memory latency
    /// overlaps with work.
    /// </summary>
    public void Evaluate(ReadOnlySpan<int> sources, ReadOnlySpan<int> destinations, ReadOnlySpan<int> ports, Protocol protocol, Span<FastVerdict> results) =>
        walker.Evaluate(sources, destinations, ports, protocol, results);

    /// <summary>Judges a flow where either end may be an outside address (handle -1 with an address).</summary>
    public FastVerdict Evaluate(int source, IPAddress? sourceAddress, int destination, IPAddress? destinationAddress, Protocol protocol, int port) =>
        walker.Evaluate(source, sourceAddress, destination, destinationAddress, protocol, port);

    /// <summary>
    /// The blocks of the network sets a selector selects, computed once and kept on it. Apart from the flow path: a
    /// lambda capturing the selector there would cost the path an allocation on every call, the blocks kept or not.
    /// </summary>
    private CidrBlock[] SelectedNets(MatcherState m) =>
        m.SelectedNets = [.. networkSets.Values.Where(s => NetworkSetSelected(m.Peer, s)).SelectMany(s => s.Nets)];

    private bool NetworkSetSelected(Peer peer, NetworkSetInfo set)
    {
        if (set.Namespace is { } ns)
        {
            if (peer.Namespace is { } scope && !string.Equals(scope, ns, StringComparison.Ordinal))
            {
                return false;
            }

            if (peer.NamespaceSelector is { } nsSelector && !nsSelector.Matches(CalicoNamespaceLabelsOf(ns)))
            {
                return false;
            }
        }
        else
        {
            if (peer.Namespace is not null)
            {
                return false;
            }

            if (peer.NamespaceSelector is { } nsSelector && !(nsSelector.Matches(LabelSet.Empty, global: true) && !nsSelector.Matches(LabelSet.Empty, global: false)))
            {
                return false;
            }
        }

        var labels = set.Namespace is null ? set.Labels : set.Labels.With("projectcalico.org/namespace", set.Namespace);
        return peer.Selector is null || peer.Selector.Matches(labels);
    }
}
