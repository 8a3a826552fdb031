using System.Net;
using Palisade.Model;
using Palisade.Model.Cluster;
using Palisade.Model.Policies;

namespace Palisade.Engine.Calculation;

/// <summary>One tier's policies applying to some endpoints, in order: shared by every list that has exactly these.</summary>
/// <param name="Key">A stable key of the run (tier and policy keys), for naming what renderers make of it.</param>
public sealed record TierRunView(string Key, Tier Tier, IReadOnlyList<Policy> Policies);

/// <summary>An endpoint as renderers see it: its workload and the policy list it uses (-1: none).</summary>
public sealed record EndpointView(string WorkloadId, Workload Workload, int List);

/// <summary>The read-only view of the calculation that renderers (the nftables data plane) work from.</summary>
public sealed partial class CalculationEngine
{
    /// <summary>Every endpoint with its workload and policy list.</summary>
    public IEnumerable<EndpointView> EndpointViews()
    {
        foreach (var (id, handle) in endpointIds)
        {
            var e = endpoints[handle]!;
            yield return new EndpointView(id, e.Workload, e.List);
        }
    }

    /// <summary>The tier runs of a policy list, in tier order.</summary>
    public IReadOnlyList<TierRunView> ListRuns(int list)
    {
        if (list < 0 || list >= lists.Count || lists[list] is not { } l)
        {
            return [];
        }

        return [.. l.Runs.Select(r => new TierRunView(RunKey(r), r.Tier.Tier, [.. r.Policies.Select(p => p.Policy)]))];
    }

    private static string RunKey(TierRun run) => $"{run.Tier.Tier.Name}|{string.Join(',', run.Policies.Select(p => p.Key))}";

    /// <summary>The selector index entry for a peer's identity conditions, or -1 when no policy uses it.</summary>
    public int SelectorOf(Peer peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        return matcherIds.TryGetValue(IdentityPart(peer), out var id) ? id : -1;
    }

    /// <summary>The endpoints (by workload id) a selector index entry matches.</summary>
    public IEnumerable<string> SelectorMembers(int selector)
    {
        if (selector < 0 || selector >= matchers.Count || matchers[selector] is not { } m)
        {
            yield break;
        }

        foreach (var identity in m.Members)
        {
            foreach (var e in identities[identity]!.Endpoints)
            {
                yield return endpoints[e]!.Key;
            }
        }
    }

    /// <summary>The address ranges of the network sets a Calico selector entry selects (empty for others).</summary>
    public IEnumerable<CidrBlock> SelectorNetworkSetRanges(int selector)
    {
        if (selector < 0 || selector >= matchers.Count || matchers[selector] is not { Peer.CalicoScope: true } m ||
            m.Peer.ServiceAccountSelector is not null || !m.Peer.ServiceAccountNames.IsEmpty)
        {
            return [];
        }

        return networkSets.Values.Where(s => NetworkSetSelected(m.Peer, s)).SelectMany(s => s.Nets);
    }

    /// <summary>The addresses of the nodes a node selector selects.</summary>
    public IEnumerable<IPAddress> NodeAddresses(Model.Selectors.Selector nodeSelector)
    {
        ArgumentNullException.ThrowIfNull(nodeSelector);
        return nodes.Values.Where(n => nodeSelector.Matches(n.Labels)).SelectMany(n => n.Addresses);
    }

    /// <summary>The tier a policy is in (by the engine's knowledge), for naming.</summary>
    public Tier? TierOfPolicy(Policy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return policies.TryGetValue(PolicyKey(policy), out var state) ? state.Tier.Tier : null;
    }
}
