using Palisade.Engine.Calculation;
using Palisade.Model;
using Palisade.Model.Cluster;
using Palisade.Model.Policies;

namespace Palisade.Agent;

/// <summary>
/// Feeds the engine the difference between the last loaded state and a newly loaded one, so that a manifest change
/// costs what it changes: only added, changed and removed objects become updates.
/// </summary>
internal sealed class StateSync(CalculationEngine engine)
{
    private ClusterSnapshot cluster = ClusterSnapshot.Empty;
    private Dictionary<string, (string Tier, Policy Policy)> policies = new(StringComparer.Ordinal);
    private Dictionary<string, Tier> tiers = new(StringComparer.Ordinal);

    /// <summary>How many updates the last sync fed the engine.</summary>
    public int LastUpdates { get; private set; }

    public void Apply(ClusterSnapshot next, PolicyModel model)
    {
        var updates = 0;
        foreach (var ns in next.Namespaces)
        {
            if (cluster.FindNamespace(ns.Name) is not { } old || !old.Labels.Equals(ns.Labels))
            {
                engine.UpsertNamespace(ns);
                updates++;
            }
        }

        foreach (var ns in cluster.Namespaces.Where(n => next.FindNamespace(n.Name) is null))
        {
            engine.RemoveNamespace(ns.Name);
            updates++;
        }

        foreach (var sa in next.ServiceAccounts)
        {
            if (cluster.FindServiceAccount(sa.Namespace, sa.Name) is not { } old || !old.Labels.Equals(sa.Labels))
            {
                engine.UpsertServiceAccount(sa);
                updates++;
            }
        }

        foreach (var sa in cluster.ServiceAccounts.Where(s => next.FindServiceAccount(s.Namespace, s.Name) is null))
        {
            engine.RemoveServiceAccount(sa.Namespace, sa.Name);
            updates++;
        }

        foreach (var node in next.Nodes)
        {
            engine.UpsertNode(node);
        }

        foreach (var node in cluster.Nodes.Where(n => !next.Nodes.Any(x => x.Name == n.Name)))
        {
            engine.RemoveNode(node.Name);
        }

        foreach (var set in next.NetworkSets)
        {
            if (!cluster.NetworkSets.Any(s => s.Id == set.Id && s.Labels.Equals(set.Labels) && s.Nets == set.Nets))
            {
                engine.UpsertNetworkSet(set);
                updates++;
            }
        }

        foreach (var set in cluster.NetworkSets.Where(s => !next.NetworkSets.Any(x => x.Id == s.Id)))
        {
            engine.RemoveNetworkSet(set.Id);
            updates++;
        }

        foreach (var w in next.Workloads)
        {
            if (cluster.FindWorkload(w.Id) is not { } old || !SameWorkload(old, w))
            {
                engine.UpsertWorkload(w);
                updates++;
            }
        }

        foreach (var w in cluster.Workloads.Where(w => next.FindWorkload(w.Id) is null))
        {
            engine.RemoveWorkload(w.Id);
            updates++;
        }

        var nextTiers = model.Tiers.ToDictionary(t => t.Name, t => t with { Policies = EquatableArray<Policy>.Empty }, StringComparer.Ordinal);
        foreach (var tier in nextTiers.Values)
        {
            if (!tiers.TryGetValue(tier.Name, out var old) || old.Order != tier.Order || old.EndAction != tier.EndAction)
            {
                engine.UpsertTier(tier);
                updates++;
            }
        }

        var nextPolicies = model.Tiers.SelectMany(t => t.Policies.Select(p => (t.Name, p)))
            .ToDictionary(p => CalculationEngine.PolicyKey(p.p), p => (p.Name, p.p), StringComparer.Ordinal);
        foreach (var (key, (tier, policy)) in nextPolicies)
        {
            if (!policies.TryGetValue(key, out var old) || old.Tier != tier || !SamePolicy(old.Policy, policy))
            {
                engine.UpsertPolicy(tier, policy);
                updates++;
            }
        }

        foreach (var key in policies.Keys.Where(k => !nextPolicies.ContainsKey(k)))
        {
            engine.RemovePolicy(key);
            updates++;
        }

        // Tiers go after their policies (the engine keeps a tier while it holds any).
        foreach (var name in tiers.Keys.Where(k => !nextTiers.ContainsKey(k)))
        {
            engine.RemoveTier(name);
            updates++;
        }

        engine.Flush();
        cluster = next;
        policies = nextPolicies;
        tiers = nextTiers;
        LastUpdates = updates;
    }

    /// <summary>Equal for policy purposes: where the manifest sits in its file does not matter.</summary>
    private static bool SameWorkload(Workload a, Workload b) =>
        a.Namespace == b.Namespace && a.Name == b.Name && a.Labels.Equals(b.Labels) && a.ServiceAccount == b.ServiceAccount &&
        a.Addresses == b.Addresses && a.Ports == b.Ports && a.HostNetwork == b.HostNetwork;

    /// <summary>
    /// Equal when the compiled content is: rules compare without their file positions. The same object (a file the
    /// loader had parsed already) or an equal one is the same without stripping copies of both.
    /// </summary>
    private static bool SamePolicy(Policy a, Policy b) =>
        ReferenceEquals(a, b) || a == b || Strip(a) == Strip(b);

    private static Policy Strip(Policy p)
    {
        var source = p.Source with { File = null, Line = 0 };
        return p with
        {
            Source = source,
            IngressRules = new(p.IngressRules.Select(r => r with { Origin = r.Origin with { Source = source } })),
            EgressRules = new(p.EgressRules.Select(r => r with { Origin = r.Origin with { Source = source } })),
        };
    }
}
