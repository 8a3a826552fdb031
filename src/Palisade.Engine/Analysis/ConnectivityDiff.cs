using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using Palisade.Engine.Calculation;
using Palisade.Engine.Evaluation;
using Palisade.Model;
using Palisade.Model.Cluster;
using Palisade.Model.Policies;

namespace Palisade.Engine.Analysis;

/// <summary>
/// The connectivity that changes between two policy sets (each with its own inventory), grouped by personalities.
/// Pairs are compared by workload id; a workload present on one side only counts as denied on the other. A workload
/// with several replicas is also paired with itself. Networks named by either side's rules (and network sets) are
/// compared too, through one address inside each: from the network to every workload, and from every workload to it.
/// </summary>
public static class ConnectivityDiff
{
    /// <summary>Networks that change alike for the same workloads and port fall in one group.</summary>
    private const string NetworksKey = "\u0001networks";

    /// <summary>One side of the comparison, answered by the calculation engine (as every question is).</summary>
    private sealed record Side(ClusterSnapshot Cluster, CalculationEngine Engine)
    {
        /// <summary>An end as the engine takes it: a workload by handle, an outside address by itself.</summary>
        public (int Handle, IPAddress? Address) Of(FlowEnd end) =>
            end.Workload is { } w ? (Engine.EndpointHandle(w.Id), end.Address) : (-1, end.Address);
    }

    private readonly record struct End(Workload? Before, Workload? After, ExternalNetwork? Network)
    {
        public string Id => Network?.Name ?? (After ?? Before)!.Id;

        public FlowEnd? On(bool after) => Network is { } n ? FlowEnd.Of(n.Probe) : (after ? After : Before) is { } w ? FlowEnd.Of(w) : null;

        public (string, LabelSet) Key(Func<LabelSet, LabelSet> project) =>
            Network is not null ? (NetworksKey, LabelSet.Empty) : ((After ?? Before)!.Namespace, project((After ?? Before)!.Labels));
    }

    public static ImmutableArray<ConnectivityChange> Compare(
        ClusterSnapshot beforeCluster, PolicyModel beforePolicies,
        ClusterSnapshot afterCluster, PolicyModel afterPolicies,
        IReadOnlyList<PortSpec>? ports = null)
    {
        ArgumentNullException.ThrowIfNull(beforeCluster);
        ArgumentNullException.ThrowIfNull(afterCluster);
        ArgumentNullException.ThrowIfNull(beforePolicies);
        ArgumentNullException.ThrowIfNull(afterPolicies);
        var before = new Side(beforeCluster, CalculationEngine.Build(beforeCluster, beforePolicies));
        var after = new Side(afterCluster, CalculationEngine.Build(afterCluster, afterPolicies));
        var ids = beforeCluster.Workloads.Select(w => w.Id).Union(afterCluster.Workloads.Select(w => w.Id), StringComparer.Ordinal).Order(StringComparer.Ordinal);
        var workloads = ids.Select(id => new End(beforeCluster.FindWorkload(id), afterCluster.FindWorkload(id), null)).ToList();
        var networks = ExternalNetwork.Collect((beforeCluster, beforePolicies), (afterCluster, afterPolicies)).Select(n => new End(null, null, n)).ToList();
        var asked = ports is { Count: > 0 } ? ports.Distinct().ToList() : null;
        var project = Projection(beforePolicies, afterPolicies);
        var egressPorts = asked ?? [.. ConnectivityAnalyzer.RulePorts(beforePolicies, afterPolicies)];

        var groups = new Dictionary<((string, LabelSet) From, (string, LabelSet) To, PortSpec Port, bool After), List<(End From, End To, FlowVerdict? Before, FlowVerdict? After)>>();
        void Judge(End from, End to, IEnumerable<PortSpec> targetPorts)
        {
            foreach (var port in targetPorts)
            {
                var vb = Evaluate(before, from, to, port, after: false);
                var va = Evaluate(after, from, to, port, after: true);
                var isAllowed = va?.Allowed ?? false;
                if ((vb?.Allowed ?? false) == isAllowed)
                {
                    continue;
                }

                var key = (from.Key(project), to.Key(project), port, isAllowed);
                if (!groups.TryGetValue(key, out var list))
                {
                    groups[key] = list = [];
                }

                list.Add((from, to, vb, va));
            }
        }

        foreach (var from in workloads)
        {
            foreach (var to in workloads)
            {
                // A workload with several replicas also talks to itself: pod to pod between its replicas.
                if (from.Id == to.Id && !(from.After ?? from.Before)!.HasPeerReplicas)
                {
                    continue;
                }

                Judge(from, to, asked ?? DestinationPorts(to));
            }

            foreach (var network in networks)
            {
                Judge(network, from, asked ?? DestinationPorts(from));
                Judge(from, network, egressPorts);
            }
        }

        return [.. groups
            .Select(g => new ConnectivityChange(
                ToPersonality(g.Key.From, g.Value.Select(p => p.From)),
                ToPersonality(g.Key.To, g.Value.Select(p => p.To)),
                g.Key.Port,
                !g.Key.After,
                g.Key.After,
                [.. g.Value.Where(p => p.From.Network is null && p.To.Network is null).Select(p => ((p.From.After ?? p.From.Before)!, (p.To.After ?? p.To.Before)!))],
                g.Value[0].Before,
                g.Value[0].After) { PairCount = g.Value.Count })
            .OrderBy(c => c.AllowedAfter)
            .ThenBy(c => c.From.Namespace, StringComparer.Ordinal)
            .ThenBy(c => c.From.Labels.ToString(), StringComparer.Ordinal)
            .ThenBy(c => c.To.Namespace, StringComparer.Ordinal)
            .ThenBy(c => c.To.Labels.ToString(), StringComparer.Ordinal)
            .ThenBy(c => c.Port.Port)];
    }

    /// <summary>
    /// Keeps the workload labels some selector of either side reads: labels no policy reads (a version, a pod template
    /// hash) cannot make two workloads behave differently, so they do not split a personality. When a selector's keys
    /// cannot be told, every label is kept.
    /// </summary>
    private static Func<LabelSet, LabelSet> Projection(PolicyModel before, PolicyModel after)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        var known = true;
        foreach (var policy in before.Policies.Concat(after.Policies))
        {
            var peers = new[] { policy.AppliesTo }
                .Concat(policy.IngressRules.Concat(policy.EgressRules).SelectMany(r => r.Source.Peers.Concat(r.Destination.Peers)));
            foreach (var peer in peers)
            {
                known &= SelectorKeys.CollectKeys(peer.Selector, keys);
            }

            foreach (var rule in policy.IngressRules.Concat(policy.EgressRules))
            {
                known &= SelectorKeys.CollectKeys(rule.Source.NotSelector, keys) & SelectorKeys.CollectKeys(rule.Destination.NotSelector, keys);
            }
        }

        return known ? labels => LabelSet.From(labels.Where(l => keys.Contains(l.Key))) : labels => labels;
    }

    private static Personality ToPersonality((string Namespace, LabelSet Labels) key, IEnumerable<End> ends)
    {
        var members = ends.Select(e => e.Id).Distinct().Order(StringComparer.Ordinal).ToImmutableArray();
        return key.Namespace == NetworksKey
            ? Personality.External(members)
            : new Personality(key.Namespace, key.Labels, members);
    }

    private static FlowVerdict? Evaluate(Side side, End from, End to, PortSpec port, bool after)
    {
        var f = from.On(after);
        var t = to.On(after);
        if (f is null || t is null)
        {
            return null;
        }

        var (source, sourceAddress) = side.Of(f);
        var (destination, destinationAddress) = side.Of(t);
        var fast = side.Engine.Evaluate(source, sourceAddress, destination, destinationAddress, port.Protocol, port.Port);
        return new FlowVerdict(new Flow(f, t, port.Protocol, port.Port), side.Engine.Explain(source, fast.Egress), side.Engine.Explain(destination, fast.Ingress));
    }

    private static IEnumerable<PortSpec> DestinationPorts(End to) =>
        ConnectivityAnalyzer.DeclaredPorts((to.After ?? to.Before)!).Union(to.Before is { } b && to.After is not null ? ConnectivityAnalyzer.DeclaredPorts(b) : []);
}
