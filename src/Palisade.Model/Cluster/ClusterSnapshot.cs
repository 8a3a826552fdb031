using System.Collections.Frozen;
using System.Collections.Immutable;

namespace Palisade.Model.Cluster;

/// <summary>The cluster's inventory at one moment: namespaces, service accounts and workloads.</summary>
public sealed class ClusterSnapshot
{
    private readonly FrozenDictionary<string, NamespaceInfo> namespaces;
    private readonly FrozenDictionary<string, Workload> workloadsById;
    private readonly FrozenDictionary<(string, string), ServiceAccountInfo> serviceAccounts;

    /// <summary>
    /// The labels Calico selectors see on a workload: its own, plus <c>projectcalico.org/namespace</c>,
    /// <c>projectcalico.org/orchestrator</c>, <c>projectcalico.org/serviceaccount</c>, and the labels of its namespace and
    /// service account under the <c>pcns.</c> and <c>pcsa.</c> prefixes.
    /// </summary>
    public LabelSet CalicoLabels(Workload workload)
    {
        ArgumentNullException.ThrowIfNull(workload);
        return calicoLabels.GetOrAdd(workload, static (w, self) =>
        {
            var pairs = new List<KeyValuePair<string, string>>(w.Labels);
            foreach (var (k, v) in self.CalicoNamespaceLabels(w.Namespace))
            {
                pairs.Add(new("pcns." + k, v));
            }

            foreach (var (k, v) in self.ServiceAccountLabels(w))
            {
                pairs.Add(new("pcsa." + k, v));
            }

            pairs.Add(new("projectcalico.org/namespace", w.Namespace));
            pairs.Add(new("projectcalico.org/orchestrator", "k8s"));
            pairs.Add(new("projectcalico.org/serviceaccount", w.ServiceAccount));
            return LabelSet.From(pairs);
        }, this);
    }

    /// <summary>The labels Calico namespace selectors see: the namespace's own plus <c>projectcalico.org/name</c>.</summary>
    public LabelSet CalicoNamespaceLabels(string ns) =>
        calicoNamespaceLabels.GetOrAdd(ns, static (n, self) => self.NamespaceLabels(n).With("projectcalico.org/name", n), this);

    private readonly System.Collections.Concurrent.ConcurrentDictionary<Workload, LabelSet> calicoLabels = new(ReferenceEqualityComparer.Instance);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, LabelSet> calicoNamespaceLabels = new(StringComparer.Ordinal);

    public ClusterSnapshot(
        IEnumerable<NamespaceInfo> namespaces,
        IEnumerable<Workload> workloads,
        IEnumerable<ServiceAccountInfo> serviceAccounts,
        IEnumerable<NodeInfo>? nodes = null,
        IEnumerable<NetworkSetInfo>? networkSets = null)
    {
        ArgumentNullException.ThrowIfNull(namespaces);
        ArgumentNullException.ThrowIfNull(workloads);
        ArgumentNullException.ThrowIfNull(serviceAccounts);
        this.namespaces = namespaces.ToFrozenDictionary(n => n.Name, StringComparer.Ordinal);
        Workloads = [.. workloads.OrderBy(w => w.Namespace, StringComparer.Ordinal).ThenBy(w => w.Name, StringComparer.Ordinal)];
        workloadsById = Workloads.ToFrozenDictionary(w => w.Id, StringComparer.Ordinal);
        this.serviceAccounts = serviceAccounts.ToFrozenDictionary(s => (s.Namespace, s.Name));
        Namespaces = [.. this.namespaces.Values.OrderBy(n => n.Name, StringComparer.Ordinal)];
        Nodes = [.. (nodes ?? []).OrderBy(n => n.Name, StringComparer.Ordinal)];
        NetworkSets = [.. (networkSets ?? []).OrderBy(n => n.Namespace ?? string.Empty, StringComparer.Ordinal).ThenBy(n => n.Name, StringComparer.Ordinal)];
        nodesByAddress = Nodes.SelectMany(n => n.Addresses.Select(a => (a, n))).GroupBy(p => p.a).ToFrozenDictionary(g => g.Key, g => g.First().n);
    }

    private readonly FrozenDictionary<System.Net.IPAddress, NodeInfo> nodesByAddress;

    /// <summary>Calico network sets (namespaced and global), sorted by namespace and name.</summary>
    public ImmutableArray<NetworkSetInfo> NetworkSets { get; }

    /// <summary>Nodes sorted by name.</summary>
    public ImmutableArray<NodeInfo> Nodes { get; }

    /// <summary>The node that owns an address, if any.</summary>
    public NodeInfo? FindNodeByAddress(System.Net.IPAddress address) => nodesByAddress.GetValueOrDefault(address);

    public static ClusterSnapshot Empty { get; } = new([], [], []);

    /// <summary>Namespaces sorted by name.</summary>
    public ImmutableArray<NamespaceInfo> Namespaces { get; }

    /// <summary>Workloads sorted by namespace, then name.</summary>
    public ImmutableArray<Workload> Workloads { get; }

    public IEnumerable<ServiceAccountInfo> ServiceAccounts => serviceAccounts.Values;

    public NamespaceInfo? FindNamespace(string name) => namespaces.GetValueOrDefault(name);

    public Workload? FindWorkload(string id) => workloadsById.GetValueOrDefault(id);

    public ServiceAccountInfo? FindServiceAccount(string ns, string name) => serviceAccounts.GetValueOrDefault((ns, name));

    /// <summary>The labels of a workload's namespace; empty when unknown.</summary>
    public LabelSet NamespaceLabels(string ns) => namespaces.TryGetValue(ns, out var n) ? n.Labels : LabelSet.Empty;

    /// <summary>
    /// The labels of a workload's service account as selectors see them: its own (none when it is not defined) plus
    /// <c>projectcalico.org/name</c>, which Calico adds.
    /// </summary>
    public LabelSet ServiceAccountLabels(Workload w)
    {
        ArgumentNullException.ThrowIfNull(w);
        return ServiceAccountInfo.SelectableLabels(w.ServiceAccount, serviceAccounts.TryGetValue((w.Namespace, w.ServiceAccount), out var sa) ? sa.Labels : LabelSet.Empty);
    }
}
