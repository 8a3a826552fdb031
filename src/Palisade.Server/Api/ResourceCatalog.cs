using System.Collections.Immutable;

namespace Palisade.Server.Api;

/// <summary>Every kind the server serves (the kinds Palisade reads), found by path segments or by apiVersion and kind.</summary>
internal sealed class ResourceCatalog
{
    private readonly ImmutableArray<ResourceKind> kinds;

    public ResourceCatalog(IEnumerable<ResourceKind> kinds) => this.kinds = [.. kinds];

    /// <summary>The kinds Palisade reads from manifests, at every version its readers take.</summary>
    public static ResourceCatalog Default { get; } = new(
    [
        Core("Namespace", "namespaces", false, "ns"),
        Core("Pod", "pods", true, "po"),
        Core("ServiceAccount", "serviceaccounts", true, "sa"),
        Core("ReplicationController", "replicationcontrollers", true, "rc"),
        Core("Node", "nodes", false, "no"),
        Builtin("apps", "Deployment", "deployments", true, "deploy"),
        Builtin("apps", "StatefulSet", "statefulsets", true, "sts"),
        Builtin("apps", "DaemonSet", "daemonsets", true, "ds"),
        Builtin("apps", "ReplicaSet", "replicasets", true, "rs"),
        Builtin("batch", "Job", "jobs", true),
        Builtin("batch", "CronJob", "cronjobs", true, "cj"),
        Builtin("networking.k8s.io", "NetworkPolicy", "networkpolicies", true, "netpol"),
        Custom("policy.networking.k8s.io", "v1beta1", "ClusterNetworkPolicy", "clusternetworkpolicies", false, "cnp"),
        Custom("policy.networking.k8s.io", "v1alpha2", "ClusterNetworkPolicy", "clusternetworkpolicies", false, "cnp"),
        Custom("policy.networking.k8s.io", "v1alpha1", "AdminNetworkPolicy", "adminnetworkpolicies", false, "anp"),
        Custom("policy.networking.k8s.io", "v1alpha1", "BaselineAdminNetworkPolicy", "baselineadminnetworkpolicies", false, "banp"),
        Custom("projectcalico.org", "v3", "Tier", "tiers", false),
        Custom("projectcalico.org", "v3", "NetworkPolicy", "networkpolicies", true),
        Custom("projectcalico.org", "v3", "GlobalNetworkPolicy", "globalnetworkpolicies", false, "gnp"),
        Custom("projectcalico.org", "v3", "StagedNetworkPolicy", "stagednetworkpolicies", true),
        Custom("projectcalico.org", "v3", "StagedGlobalNetworkPolicy", "stagedglobalnetworkpolicies", false),
        Custom("projectcalico.org", "v3", "StagedKubernetesNetworkPolicy", "stagedkubernetesnetworkpolicies", true),
        Custom("projectcalico.org", "v3", "NetworkSet", "networksets", true),
        Custom("projectcalico.org", "v3", "GlobalNetworkSet", "globalnetworksets", false),
    ]);

    public IReadOnlyList<ResourceKind> Kinds => kinds;

    /// <summary>The Namespace kind: objects of namespaced kinds may only be created in a namespace that exists.</summary>
    public ResourceKind Namespace => kinds[0];

    /// <summary>The groups in discovery order, each with its versions, the preferred (first listed) first.</summary>
    public IEnumerable<(string Group, IReadOnlyList<string> Versions)> Groups() =>
        kinds.Where(k => k.Group.Length > 0)
            .GroupBy(k => k.Group, StringComparer.Ordinal)
            .Select(g => (g.Key, (IReadOnlyList<string>)g.Select(k => k.Version).Distinct(StringComparer.Ordinal).ToList()));

    public IEnumerable<ResourceKind> InGroupVersion(string group, string version) =>
        kinds.Where(k => k.Group == group && k.Version == version);

    public ResourceKind? Find(string group, string version, string plural) =>
        kinds.FirstOrDefault(k => k.Group == group && k.Version == version && k.Plural == plural);

    public ResourceKind? FindKind(string apiVersion, string kind) =>
        kinds.FirstOrDefault(k => k.GroupVersion == apiVersion && k.Kind == kind);

    /// <summary>Every distinct storage resource that is namespaced (what deleting a namespace removes).</summary>
    public IEnumerable<ResourceKind> NamespacedStorage() =>
        kinds.Where(k => k.Namespaced).DistinctBy(k => k.StoreResource, StringComparer.Ordinal);

    private static ResourceKind Core(string kind, string plural, bool namespaced, params string[] shortNames) =>
        new(string.Empty, "v1", kind, plural, namespaced, [.. shortNames], StrategicMerge: true);

    private static ResourceKind Builtin(string group, string kind, string plural, bool namespaced, params string[] shortNames) =>
        new(group, "v1", kind, plural, namespaced, [.. shortNames], StrategicMerge: true);

    private static ResourceKind Custom(string group, string version, string kind, string plural, bool namespaced, params string[] shortNames) =>
        new(group, version, kind, plural, namespaced, [.. shortNames], StrategicMerge: false);
}
