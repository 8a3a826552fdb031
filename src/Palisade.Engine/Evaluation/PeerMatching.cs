using Palisade.Model;
using Palisade.Model.Policies;

namespace Palisade.Engine.Evaluation;

/// <summary>
/// The metadata conditions of a peer (namespace, labels, namespace labels, service account), shared by the reference
/// evaluator and the incremental engine so that both read a peer the same way.
/// </summary>
public static class PeerMatching
{
    /// <param name="peer">The peer or subject.</param>
    /// <param name="facts">The workload's metadata as the peer's dialect sees it.</param>
    public static bool MatchesMetadata(Peer peer, in WorkloadFacts facts)
    {
        ArgumentNullException.ThrowIfNull(peer);
        if (peer.Namespace is { } ns && !string.Equals(ns, facts.Namespace, StringComparison.Ordinal))
        {
            return false;
        }

        if (peer.Selector is { } selector && !selector.Matches(peer.CalicoScope ? facts.CalicoLabels() : facts.Labels))
        {
            return false;
        }

        if (peer.NamespaceSelector is { } nsSelector && !nsSelector.Matches(peer.CalicoScope ? facts.CalicoNamespaceLabels() : facts.NamespaceLabels))
        {
            return false;
        }

        if (peer.ServiceAccountSelector is { } saSelector && !saSelector.Matches(facts.ServiceAccountLabels))
        {
            return false;
        }

        if (!peer.ServiceAccountNames.IsEmpty)
        {
            foreach (var name in peer.ServiceAccountNames)
            {
                if (string.Equals(name, facts.ServiceAccount, StringComparison.Ordinal))
                {
                    return true;
                }
            }

            return false;
        }

        return true;
    }
}
