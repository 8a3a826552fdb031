using System.Collections.Frozen;
using System.Collections.Immutable;

namespace Palisade.Model.Cluster;

/// <summary>The cluster's inventory at one moment: namespaces, service accounts and workloads.</summary>
public sealed class ClusterSnapshot
{
    private readonly FrozenDictionary<string, NamespaceInfo> namespaces;
    private readonly FrozenDictionary<string, Workload> workloadsById;
    private readonly FrozenDictionary<(string, string), ServiceAccountInfo> serviceAccounts;

    public ClusterSnapshot(
        IEnumerable<NamespaceInfo> namespaces,
        IEnumerable<Workload> workloads,
        IEnumerable<ServiceAccountInfo> serviceAccounts,
        IEnumerable<NodeInfo>? nodes = null)
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
        nodesByAddress = Nodes.SelectMany(n => n.Addresses.Select(a => (a, n))).GroupBy(p => p.a).ToFrozenDictionary(g => g.Key, g => g.First().n);
    }

    private readonly FrozenDictionary<System.Net.IPAddress, NodeInfo> nodesByAddress;

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

    /// <summary>The labels of a workload's service account; empty when it is not defined.</summary>
    public LabelSet ServiceAccountLabels(Workload w) =>
        serviceAccounts.TryGetValue((w.Namespace, w.ServiceAccount), out var sa) ? sa.Labels : LabelSet.Empty;
}
