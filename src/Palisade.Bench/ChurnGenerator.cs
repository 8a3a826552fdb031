using Palisade.Engine.Calculation;
using Palisade.Model;
using Palisade.Model.Cluster;
using Palisade.Model.Policies;
using Palisade.Model.Selectors;

namespace Palisade.Bench;

/// <summary>One change of cluster state, applied to the synthetic cluster (the truth) and to an engine (incrementally).</summary>
public sealed record ClusterUpdate(string Kind, Action<CalculationEngine> ApplyToEngine);

/// <summary>
/// A mixed stream of the churn an orchestrator produces: pods come and go (replicas of existing apps), pods are
/// relabelled (a rollout bumps their version), namespaces are relabelled, policies are added, changed and removed.
/// Each update is applied to the cluster as it is generated, so a from-scratch rebuild sees the same state.
/// </summary>
public sealed class ChurnGenerator(SyntheticCluster cluster)
{
    private readonly Random random = cluster.Random;
    private List<string>? workloadIds;
    private string[]? appNamespaces;
    private string[]? namespaceNames;
    private int counter;

    public ClusterUpdate Next()
    {
        workloadIds ??= [.. cluster.Workloads.Keys];
        appNamespaces ??= [.. cluster.Apps.Keys];
        namespaceNames ??= [.. cluster.Namespaces.Keys];
        var roll = random.Next(100);
        if (roll < 35 || workloadIds.Count < 10)
        {
            var ns = appNamespaces[random.Next(appNamespaces.Length)];
            var (_, labels, port) = cluster.Apps[ns][random.Next(cluster.Apps[ns].Count)];
            var pod = cluster.NewPod(ns, labels, port);
            cluster.Workloads[pod.Id] = pod;
            workloadIds.Add(pod.Id);
            return new ClusterUpdate("pod-add", e => e.UpsertWorkload(pod));
        }

        if (roll < 70)
        {
            var index = random.Next(workloadIds.Count);
            var id = workloadIds[index];
            workloadIds[index] = workloadIds[^1];
            workloadIds.RemoveAt(workloadIds.Count - 1);
            cluster.Workloads.Remove(id);
            return new ClusterUpdate("pod-remove", e => e.RemoveWorkload(id));
        }

        if (roll < 85)
        {
            var id = workloadIds[random.Next(workloadIds.Count)];
            var old = cluster.Workloads[id];
            var version = old.Labels.TryGetValue("version", out var v) && v == "v1" ? "v2" : "v1";
            var relabelled = old with { Labels = old.Labels.With("version", version) };
            cluster.Workloads[id] = relabelled;
            return new ClusterUpdate("pod-relabel", e => e.UpsertWorkload(relabelled));
        }

        if (roll < 90)
        {
            var ns = cluster.Namespaces[namespaceNames[random.Next(namespaceNames.Length)]];
            var updated = ns with { Labels = ns.Labels.With("stage", (counter++ % 2 == 0) ? "canary" : "stable") };
            cluster.Namespaces[ns.Name] = updated;
            return new ClusterUpdate("namespace-relabel", e => e.UpsertNamespace(updated));
        }

        if (roll < 97 || cluster.Policies.Count == 0)
        {
            // A team edits (or adds) a Kubernetes NetworkPolicy in its namespace.
            var ns = appNamespaces[random.Next(appNamespaces.Length)];
            var apps = cluster.Apps[ns];
            var (app, _, port) = apps[random.Next(apps.Count)];
            var (from, _, _) = apps[random.Next(apps.Count)];
            var name = $"churn-{random.Next(200)}";
            var policy = SyntheticCluster.KubernetesPolicy(ns, name, Selector.Equal("app", app), true, false, p =>
            (
                [new Rule(RuleAction.Allow, new EntityMatch { Peers = [new Peer { Namespace = ns, Selector = Selector.Equal("app", from) }] }, new EntityMatch { Ports = [PortMatch.Single(port, Protocol.Tcp)] }, new RuleOrigin(p.Source, "spec.ingress[0]", 0))],
                []
            ));
            cluster.AddPolicy(PolicyModel.DefaultTierName, policy);
            return new ClusterUpdate("policy-upsert", e => e.UpsertPolicy(PolicyModel.DefaultTierName, policy));
        }

        var key = cluster.Policies.Keys.ElementAt(random.Next(Math.Min(cluster.Policies.Count, 5000)));
        cluster.Policies.Remove(key);
        return new ClusterUpdate("policy-remove", e => e.RemovePolicy(key));
    }
}
