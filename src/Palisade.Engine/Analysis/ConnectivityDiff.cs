using System.Collections.Immutable;
using Palisade.Engine.Evaluation;
using Palisade.Model;
using Palisade.Model.Cluster;
using Palisade.Model.Policies;

namespace Palisade.Engine.Analysis;

/// <summary>
/// The connectivity that changes between two policy sets (each with its own inventory), grouped by personalities.
/// Pairs are compared by workload id; a workload present on one side only counts as denied on the other.
/// </summary>
public static class ConnectivityDiff
{
    public static ImmutableArray<ConnectivityChange> Compare(
        ClusterSnapshot beforeCluster, PolicyModel beforePolicies,
        ClusterSnapshot afterCluster, PolicyModel afterPolicies,
        IReadOnlyList<PortSpec>? ports = null)
    {
        ArgumentNullException.ThrowIfNull(beforeCluster);
        ArgumentNullException.ThrowIfNull(afterCluster);
        var before = new PolicyEvaluator(beforeCluster, beforePolicies);
        var after = new PolicyEvaluator(afterCluster, afterPolicies);
        var ids = beforeCluster.Workloads.Select(w => w.Id).Union(afterCluster.Workloads.Select(w => w.Id), StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var asked = ports is { Count: > 0 } ? ports.Distinct().ToList() : null;
        var groups = new Dictionary<((string, LabelSet) From, (string, LabelSet) To, PortSpec Port, bool After), List<(Workload, Workload, FlowVerdict?, FlowVerdict?)>>();
        foreach (var fromId in ids)
        {
            foreach (var toId in ids)
            {
                if (fromId == toId)
                {
                    continue;
                }

                var fb = beforeCluster.FindWorkload(fromId);
                var tb = beforeCluster.FindWorkload(toId);
                var fa = afterCluster.FindWorkload(fromId);
                var ta = afterCluster.FindWorkload(toId);
                var targetPorts = asked ?? [.. ConnectivityAnalyzer.DeclaredPorts(ta ?? tb!).Union(tb is null ? [] : ConnectivityAnalyzer.DeclaredPorts(tb))];
                foreach (var port in targetPorts)
                {
                    var vb = fb is null || tb is null ? null : before.Evaluate(new Flow(FlowEnd.Of(fb), FlowEnd.Of(tb), port.Protocol, port.Port));
                    var va = fa is null || ta is null ? null : after.Evaluate(new Flow(FlowEnd.Of(fa), FlowEnd.Of(ta), port.Protocol, port.Port));
                    var wasAllowed = vb?.Allowed ?? false;
                    var isAllowed = va?.Allowed ?? false;
                    if (wasAllowed == isAllowed)
                    {
                        continue;
                    }

                    var from = fa ?? fb!;
                    var to = ta ?? tb!;
                    var key = (Personality.KeyOf(from), Personality.KeyOf(to), port, isAllowed);
                    if (!groups.TryGetValue(key, out var list))
                    {
                        groups[key] = list = [];
                    }

                    list.Add((from, to, vb, va));
                }
            }
        }

        return [.. groups
            .Select(g => new ConnectivityChange(
                new Personality(g.Key.From.Item1, g.Key.From.Item2, [.. g.Value.Select(p => p.Item1.Id).Distinct().Order(StringComparer.Ordinal)]),
                new Personality(g.Key.To.Item1, g.Key.To.Item2, [.. g.Value.Select(p => p.Item2.Id).Distinct().Order(StringComparer.Ordinal)]),
                g.Key.Port,
                !g.Key.After,
                g.Key.After,
                [.. g.Value.Select(p => (p.Item1, p.Item2))],
                g.Value[0].Item3,
                g.Value[0].Item4))
            .OrderBy(c => c.AllowedAfter)
            .ThenBy(c => c.From.Namespace, StringComparer.Ordinal)
            .ThenBy(c => c.From.Labels.ToString(), StringComparer.Ordinal)
            .ThenBy(c => c.To.Namespace, StringComparer.Ordinal)
            .ThenBy(c => c.To.Labels.ToString(), StringComparer.Ordinal)
            .ThenBy(c => c.Port.Port)];
    }
}
