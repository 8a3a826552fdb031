using System.Net;
using Palisade.Engine.Evaluation;
using Palisade.Model;
using Palisade.Model.Cluster;

namespace Palisade.Engine.Calculation;

/// <summary>The inventory stage: namespaces, service accounts, identities (distinct metadata) and endpoints.</summary>
public sealed partial class CalculationEngine
{
    private readonly Dictionary<string, LabelSet> namespaceLabels = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Ns, string Name), LabelSet> serviceAccountLabels = [];
    private readonly Dictionary<IdentityKey, int> identityIds = [];
    private readonly List<IdentityState?> identities = [];
    private readonly Stack<int> freeIdentities = new();
    private readonly Dictionary<string, IntSet> identitiesByNamespace = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Key, string Value), IntSet> identitiesByLabel = [];
    private readonly Dictionary<string, int> endpointIds = new(StringComparer.Ordinal);
    private readonly List<EndpointState?> endpoints = [];
    private readonly Stack<int> freeEndpoints = new();
    private readonly Dictionary<string, NodeInfo> nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<IPAddress, NodeInfo> nodesByAddress = [];
    private readonly Dictionary<string, NetworkSetInfo> networkSets = new(StringComparer.Ordinal);

    /// <summary>Number of live endpoints.</summary>
    public int EndpointCount => endpointIds.Count;

    /// <summary>Number of distinct identities (namespace, labels, service account) among endpoints.</summary>
    public int IdentityCount => identityIds.Count;

    internal readonly record struct IdentityKey(string Namespace, LabelSet Labels, string ServiceAccount);

    internal sealed class IdentityState(CalculationEngine engine) : ICalicoView
    {
        public required int Id;
        public required IdentityKey Key;
        public readonly IntSet Endpoints = new();
        public readonly IntSet Matchers = new();
        public int List = -1;
        public LabelSet? CachedCalicoLabels;

        /// <summary>
        /// The shared block of those of <see cref="Matchers"/> that rules name as peers (see
        /// <see cref="TierProgram.PeerBlockHeader"/>), null when none is: what the fast path searches for a remote end
        /// (small, contiguous, hot). At (100k, 10k) an endpoint is in 6.3 selectors, 3.4 of them peers.
        /// </summary>
        public PeerBlock? Peers;

        /// <summary>The words of <see cref="Peers"/>, as endpoints hold them.</summary>
        public int[] PeerArray => Peers?.Words ?? TierProgram.NoPeers;
        public bool PeerArrayDirty;

        public LabelSet CalicoLabels() => engine.CalicoLabelsOf(this);

        public LabelSet CalicoNamespaceLabels() => engine.CalicoNamespaceLabelsOf(Key.Namespace);
    }

    /// <summary>An endpoint's <see cref="EndpointHot.Word"/>.</summary>
    private static ulong EndpointWord(EndpointState e) =>
        EndpointAddress.Word(e.Workload) | (e.HostNetwork ? EndpointAddress.HostNetworkBit : 0) | (e.Identity >= 0 ? EndpointAddress.IdentityBit : 0);

    /// <summary>Grows the dense arrays to hold at least <paramref name="count"/> endpoints.</summary>
    private void ReserveEndpoints(int count)
    {
        if (count > walker.Hot.Length)
        {
            Array.Resize(ref walker.Hot, count);
        }
    }

    /// <summary>Copies an endpoint's fast-path fields into the dense arrays.</summary>
    private void Sync(EndpointState e)
    {
        if (e.Id >= walker.Hot.Length)
        {
            Array.Resize(ref walker.Hot, Math.Max(walker.Hot.Length * 2, e.Id + 1));
        }

        walker.Hot[e.Id] = new EndpointHot
        {
            Word = EndpointWord(e),
            IngressProgram = e.Ingress,
            EgressProgram = e.Egress,
            Matchers = e.Matchers,
        };
    }

    internal sealed class EndpointState
    {
        public required int Id;

        /// <summary>The workload's id (<c>namespace/name</c>), which stays with the endpoint while it is upserted.</summary>
        public required string Key;
        public required Workload Workload;

        /// <summary>Copied from the workload, so that the fast path does not load it.</summary>
        public bool HostNetwork;

        /// <summary>The programs of the endpoint's policy list, by reference (the fast path's first hop).</summary>
        public ProgramRef[] Ingress = [];
        public ProgramRef[] Egress = [];
        public int Identity = -1;
        public int List = -1;

        /// <summary>The identity's peer block (<see cref="IdentityState.PeerArray"/>), shared by reference.</summary>
        public int[] Matchers = TierProgram.NoPeers;
    }

    public void UpsertNamespace(NamespaceInfo ns)
    {
        ArgumentNullException.ThrowIfNull(ns);
        var labels = ns.Labels.ContainsKey(NamespaceInfo.NameLabel) ? ns.Labels : ns.Labels.With(NamespaceInfo.NameLabel, ns.Name);
        if (namespaceLabels.TryGetValue(ns.Name, out var old) && old.Equals(labels))
        {
            return;
        }

        namespaceLabels[ns.Name] = labels;
        calicoNamespaceCache.Remove(ns.Name);
        NamespaceChanged(ns.Name, old ?? LabelSet.Of(NamespaceInfo.NameLabel, ns.Name));
    }

    public void RemoveNamespace(string name)
    {
        if (namespaceLabels.Remove(name, out var old))
        {
            calicoNamespaceCache.Remove(name);
            NamespaceChanged(name, old);
        }
    }

    public void UpsertServiceAccount(ServiceAccountInfo sa)
    {
        ArgumentNullException.ThrowIfNull(sa);
        if (serviceAccountLabels.TryGetValue((sa.Namespace, sa.Name), out var old) && old.Equals(sa.Labels))
        {
            return;
        }

        serviceAccountLabels[(sa.Namespace, sa.Name)] = sa.Labels;
        calicoAccountCache.Remove((sa.Namespace, sa.Name));
        selectableAccountCache.Remove((sa.Namespace, sa.Name));
        ServiceAccountChanged(sa.Namespace, sa.Name);
    }

    public void RemoveServiceAccount(string ns, string name)
    {
        if (serviceAccountLabels.Remove((ns, name)))
        {
            calicoAccountCache.Remove((ns, name));
            selectableAccountCache.Remove((ns, name));
            ServiceAccountChanged(ns, name);
        }
    }

    public void UpsertNode(NodeInfo node)
    {
        ArgumentNullException.ThrowIfNull(node);
        RemoveNode(node.Name);
        nodes[node.Name] = node;
        foreach (var a in node.Addresses)
        {
            nodesByAddress.TryAdd(a, node);
        }
    }

    public void RemoveNode(string name)
    {
        if (nodes.Remove(name, out var old))
        {
            foreach (var a in old.Addresses)
            {
                if (nodesByAddress.TryGetValue(a, out var n) && ReferenceEquals(n, old))
                {
                    nodesByAddress.Remove(a);
                }
            }
        }
    }

    public void UpsertNetworkSet(NetworkSetInfo set)
    {
        ArgumentNullException.ThrowIfNull(set);
        networkSets[set.Id] = set;
        NetworkSetsChanged();
    }

    public void RemoveNetworkSet(string id)
    {
        if (networkSets.Remove(id, out var set))
        {
            NetworkSetsChanged();
            if (set.Namespace is { } ns)
            {
                ForgetCachedNamespaceLabels(ns);
            }
        }
    }

    /// <summary>Adds a workload, or replaces the one with the same id (relabelled, moved, new addresses).</summary>
    public void UpsertWorkload(Workload workload)
    {
        ArgumentNullException.ThrowIfNull(workload);
        // A workload's id is built on each read: built once here, and kept by the endpoint for listeners and queries.
        var key = workload.Id;
        if (endpointIds.TryGetValue(key, out var existing))
        {
            var state = endpoints[existing]!;
            var oldKey = KeyOf(state.Workload);
            var newKey = KeyOf(workload);
            var sameShape = state.Workload.HostNetwork == workload.HostNetwork;
            state.Workload = workload;
            state.HostNetwork = workload.HostNetwork;
            if (sameShape && oldKey.Equals(newKey))
            {
                // Same identity: only what rules naming addresses read may have changed.
                walker.Hot[existing].Word = EndpointWord(state);
                return;
            }

            DetachIdentity(state);
            AttachIdentity(state, newKey);
            Sync(state);
            return;
        }

        var id = freeEndpoints.Count > 0 ? freeEndpoints.Pop() : endpoints.Count;
        var endpoint = new EndpointState { Id = id, Key = key, Workload = workload, HostNetwork = workload.HostNetwork };
        if (id == endpoints.Count)
        {
            endpoints.Add(endpoint);
        }
        else
        {
            endpoints[id] = endpoint;
        }

        endpointIds[key] = id;
        AttachIdentity(endpoint, KeyOf(workload));
        Sync(endpoint);
    }

    public void RemoveWorkload(string id)
    {
        if (!endpointIds.Remove(id, out var handle))
        {
            return;
        }

        var state = endpoints[handle]!;
        if (state.List >= 0 && lists[state.List] is { } list)
        {
            list.Endpoints.Remove(handle);
        }

        DetachIdentity(state);
        foreach (var l in listeners)
        {
            l.OnEndpointRemoved(id);
        }

        endpoints[handle] = null;
        walker.Hot[handle] = default;
        freeEndpoints.Push(handle);
    }

    /// <summary>Host-network pods are not subjects or selector members: they are addresses, like outside hosts.</summary>
    private static IdentityKey KeyOf(Workload w) => w.HostNetwork
        ? new IdentityKey(string.Empty, LabelSet.Empty, string.Empty)
        : new IdentityKey(w.Namespace, w.Labels, w.ServiceAccount);

    private void AttachIdentity(EndpointState endpoint, IdentityKey key)
    {
        if (endpoint.Workload.HostNetwork)
        {
            endpoint.Identity = -1;
            SetEndpointList(endpoint, -1);
            return;
        }

        if (!identityIds.TryGetValue(key, out var id))
        {
            id = freeIdentities.Count > 0 ? freeIdentities.Pop() : identities.Count;
            var identity = new IdentityState(this) { Id = id, Key = key };
            if (id == identities.Count)
            {
                identities.Add(identity);
            }
            else
            {
                identities[id] = identity;
            }

            identityIds[key] = id;
            Index(identitiesByNamespace, key.Namespace, id);
            foreach (var (k, v) in key.Labels)
            {
                Index(identitiesByLabel, (k, v), id);
            }

            endpoint.Identity = id;
            identity.Endpoints.Add(endpoint.Id);
            MatchNewIdentity(identity);
        }
        else
        {
            endpoint.Identity = id;
            var identity = identities[id]!;
            identity.Endpoints.Add(endpoint.Id);
            endpoint.Matchers = identity.PeerArray;
            foreach (var m in identity.Matchers)
            {
                EmitMember(m, endpoint, added: true);
            }
        }

        SetEndpointList(endpoint, identities[endpoint.Identity]!.List);
    }

    private void DetachIdentity(EndpointState endpoint)
    {
        if (endpoint.Identity < 0)
        {
            return;
        }

        var identity = identities[endpoint.Identity]!;
        identity.Endpoints.Remove(endpoint.Id);
        foreach (var m in identity.Matchers)
        {
            EmitMember(m, endpoint, added: false);
        }

        endpoint.Identity = -1;
        endpoint.Matchers = TierProgram.NoPeers;
        if (identity.Endpoints.Count > 0)
        {
            return;
        }

        // The last endpoint of this identity is gone: leave every selector, the policy list and the peer block.
        foreach (var m in identity.Matchers.ToArray())
        {
            RemoveMembership(matchers[m]!, identity, emitPerEndpoint: false);
        }

        ReleasePeerBlock(identity.Peers);
        identity.Peers = null;

        SetIdentityList(identity, -1);
        identityIds.Remove(identity.Key);
        Unindex(identitiesByNamespace, identity.Key.Namespace, identity.Id);
        foreach (var (k, v) in identity.Key.Labels)
        {
            Unindex(identitiesByLabel, (k, v), identity.Id);
        }

        identities[identity.Id] = null;
        freeIdentities.Push(identity.Id);
        ForgetCachedLabels(identity.Key.Namespace, identity.Key.ServiceAccount);
    }

    /// <summary>
    /// Drops the labels cached for a namespace and a service account once nothing is in them and no object declares them:
    /// pods (and network sets) naming accounts or namespaces that were never declared, or are gone, would otherwise
    /// leave an entry each for good, and an engine following a cluster whose namespaces come and go would grow with them.
    /// </summary>
    private void ForgetCachedLabels(string ns, string sa)
    {
        // Nothing cached, nothing to look for: the namespace's identities are scanned only when an entry would go.
        if ((calicoAccountCache.ContainsKey((ns, sa)) || selectableAccountCache.ContainsKey((ns, sa))) &&
            !serviceAccountLabels.ContainsKey((ns, sa)) && !AccountInUse(ns, sa))
        {
            calicoAccountCache.Remove((ns, sa));
            selectableAccountCache.Remove((ns, sa));
        }

        ForgetCachedNamespaceLabels(ns);
    }

    /// <summary>Drops the labels cached for a namespace no object declares once no identity and no network set is in it.</summary>
    private void ForgetCachedNamespaceLabels(string ns)
    {
        if (calicoNamespaceCache.ContainsKey(ns) && !namespaceLabels.ContainsKey(ns) && !identitiesByNamespace.ContainsKey(ns) &&
            !HasNetworkSetIn(ns))
        {
            calicoNamespaceCache.Remove(ns);
        }
    }

    private bool HasNetworkSetIn(string ns)
    {
        foreach (var set in networkSets.Values)
        {
            if (string.Equals(set.Namespace, ns, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether an identity of namespace <paramref name="ns"/> runs as service account <paramref name="sa"/>.</summary>
    private bool AccountInUse(string ns, string sa)
    {
        if (identitiesByNamespace.TryGetValue(ns, out var inNamespace))
        {
            foreach (var id in inNamespace)
            {
                if (string.Equals(identities[id]!.Key.ServiceAccount, sa, StringComparison.Ordinal))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private LabelSet NamespaceLabelsOf(string ns) =>
        namespaceLabels.TryGetValue(ns, out var labels) ? labels : LabelSet.Of(NamespaceInfo.NameLabel, ns);

    private readonly Dictionary<string, (LabelSet Calico, LabelSet Prefixed)> calicoNamespaceCache = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Ns, string Sa), LabelSet> calicoAccountCache = [];
    private readonly Dictionary<(string Ns, string Sa), LabelSet> selectableAccountCache = [];

    private LabelSet CalicoNamespaceLabelsOf(string ns) => CalicoNamespaceEntry(ns).Calico;

    private (LabelSet Calico, LabelSet Prefixed) CalicoNamespaceEntry(string ns)
    {
        if (!calicoNamespaceCache.TryGetValue(ns, out var entry))
        {
            var calico = NamespaceLabelsOf(ns).With("projectcalico.org/name", ns);
            calicoNamespaceCache[ns] = entry = (calico, calico.WithPrefix("pcns."));
        }

        return entry;
    }

    /// <summary>pcsa.-prefixed service account labels and the projectcalico.org/* labels of (namespace, account).</summary>
    private LabelSet CalicoAccountLabelsOf(string ns, string sa)
    {
        if (!calicoAccountCache.TryGetValue((ns, sa), out var labels))
        {
            var fixedLabels = LabelSet.Of("projectcalico.org/namespace", ns, "projectcalico.org/orchestrator", "k8s", "projectcalico.org/serviceaccount", sa);
            calicoAccountCache[(ns, sa)] = labels = LabelSet.Merge(ServiceAccountLabelsOf(ns, sa).WithPrefix("pcsa."), fixedLabels, LabelSet.Empty);
        }

        return labels;
    }

    /// <summary>The labels service account selectors see (with Calico's <c>projectcalico.org/name</c>), also for an undefined account.</summary>
    private LabelSet ServiceAccountLabelsOf(string ns, string sa)
    {
        if (!selectableAccountCache.TryGetValue((ns, sa), out var selectable))
        {
            selectableAccountCache[(ns, sa)] = selectable = ServiceAccountInfo.SelectableLabels(sa, serviceAccountLabels.TryGetValue((ns, sa), out var labels) ? labels : LabelSet.Empty);
        }

        return selectable;
    }

    private LabelSet CalicoLabelsOf(IdentityState identity)
    {
        if (identity.CachedCalicoLabels is { } cached)
        {
            return cached;
        }

        var key = identity.Key;
        return identity.CachedCalicoLabels = LabelSet.Merge(key.Labels, CalicoNamespaceEntry(key.Namespace).Prefixed, CalicoAccountLabelsOf(key.Namespace, key.ServiceAccount));
    }

    private WorkloadFacts FactsOf(IdentityState identity)
    {
        var key = identity.Key;
        return new WorkloadFacts(
            key.Namespace,
            key.Labels,
            key.ServiceAccount,
            NamespaceLabelsOf(key.Namespace),
            ServiceAccountLabelsOf(key.Namespace, key.ServiceAccount),
            identity);
    }

    private static void Index<TKey>(Dictionary<TKey, IntSet> index, TKey key, int id)
        where TKey : notnull
    {
        if (!index.TryGetValue(key, out var set))
        {
            index[key] = set = [];
        }

        set.Add(id);
    }

    private static void Unindex<TKey>(Dictionary<TKey, IntSet> index, TKey key, int id)
        where TKey : notnull
    {
        if (index.TryGetValue(key, out var set) && set.Remove(id) && set.Count == 0)
        {
            index.Remove(key);
        }
    }
}
