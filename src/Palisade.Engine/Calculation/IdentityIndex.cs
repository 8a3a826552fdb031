using System.Net;
using Palisade.Engine.Evaluation;
using Palisade.Model;
using Palisade.Model.Cluster;

namespace Palisade.Engine.Calculation;

/// <summary>
/// The identity index, the first stage: namespaces, service accounts, nodes, network sets and workloads come in; each
/// workload becomes an endpoint (a handle) of an identity, one per distinct metadata (namespace, labels, service
/// account), so that everything downstream is computed once per identity, not per endpoint (as Cilium does).
/// </summary>
/// <remarks>
/// Contract: owns the endpoints, the identities (with their indexes by namespace and label), the metadata of namespaces
/// and service accounts (and the labels derived from them, cached), nodes and network sets. It hands on: a new identity
/// and a changed namespace, account or set of network sets to the selector index (which files memberships); an
/// identity gone, and an endpoint that appears, moves or leaves, to the policy resolver (which gives it its list);
/// every endpoint's change to the walker's hot entries. Every attach is balanced by a detach: an identity whose last
/// endpoint leaves is forgotten with everything it held, and so are the cached labels of namespaces and accounts
/// nothing uses any more (ChurnLeavesNothingTests).
/// </remarks>
internal sealed class IdentityIndex(VerdictWalker walker, List<ICalculationListener> listeners, List<EndpointState?> endpoints, Dictionary<string, NetworkSetInfo> networkSets, Dictionary<IPAddress, NodeInfo> nodesByAddress)
{
    private readonly Dictionary<string, LabelSet> namespaceLabels = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Ns, string Name), LabelSet> serviceAccountLabels = [];
    private readonly Dictionary<IdentityKey, int> identityIds = [];
    private readonly List<IdentityState?> identities = [];
    private readonly Stack<int> freeIdentities = new();
    private readonly Dictionary<string, IntSet> identitiesByNamespace = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Key, string Value), IntSet> identitiesByLabel = [];
    private readonly Dictionary<string, int> endpointIds = new(StringComparer.Ordinal);
    private readonly Stack<int> freeEndpoints = new();
    private readonly Dictionary<string, NodeInfo> nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (LabelSet Calico, LabelSet Prefixed)> calicoNamespaceCache = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Ns, string Sa), LabelSet> calicoAccountCache = [];
    private readonly Dictionary<(string Ns, string Sa), LabelSet> selectableAccountCache = [];
    private SelectorIndex selectors = null!;
    private PolicyResolver resolver = null!;

    /// <summary>Connects the stages this one hands changes on to (they are built after it, as they read it).</summary>
    public void Connect(SelectorIndex selectorIndex, PolicyResolver policyResolver) => (selectors, resolver) = (selectorIndex, policyResolver);

    /// <summary>Endpoints by handle (null: a free handle).</summary>
    public List<EndpointState?> Endpoints => endpoints;

    /// <summary>Handles by workload id.</summary>
    public Dictionary<string, int> EndpointIds => endpointIds;

    /// <summary>Identities by id (null: a free id).</summary>
    public List<IdentityState?> Identities => identities;

    /// <summary>Ids of the live identities.</summary>
    public IEnumerable<int> IdentityIds => identityIds.Values;

    /// <summary>Number of distinct identities.</summary>
    public int IdentityCount => identityIds.Count;

    /// <summary>Identities by namespace.</summary>
    public Dictionary<string, IntSet> IdentitiesByNamespace => identitiesByNamespace;

    /// <summary>Identities by one of their labels.</summary>
    public Dictionary<(string Key, string Value), IntSet> IdentitiesByLabel => identitiesByLabel;

    /// <summary>The labels of declared namespaces (with their name label).</summary>
    public Dictionary<string, LabelSet> NamespaceLabels => namespaceLabels;

    public Dictionary<string, NodeInfo> Nodes => nodes;

    public Dictionary<IPAddress, NodeInfo> NodesByAddress => nodesByAddress;

    public Dictionary<string, NetworkSetInfo> NetworkSets => networkSets;

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
        selectors.NamespaceChanged(ns.Name, old ?? LabelSet.Of(NamespaceInfo.NameLabel, ns.Name));
    }

    public void RemoveNamespace(string name)
    {
        if (namespaceLabels.Remove(name, out var old))
        {
            calicoNamespaceCache.Remove(name);
            selectors.NamespaceChanged(name, old);
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
        selectors.ServiceAccountChanged(sa.Namespace, sa.Name);
    }

    public void RemoveServiceAccount(string ns, string name)
    {
        if (serviceAccountLabels.Remove((ns, name)))
        {
            calicoAccountCache.Remove((ns, name));
            selectableAccountCache.Remove((ns, name));
            selectors.ServiceAccountChanged(ns, name);
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
        selectors.NetworkSetsChanged();
    }

    public void RemoveNetworkSet(string id)
    {
        if (networkSets.Remove(id, out var set))
        {
            selectors.NetworkSetsChanged();
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
                walker.Hot[existing].Word = state.HotWord;
                return;
            }

            DetachIdentity(state);
            AttachIdentity(state, newKey);
            walker.Write(state);
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
        walker.Write(endpoint);
    }

    public void RemoveWorkload(string id)
    {
        if (!endpointIds.Remove(id, out var handle))
        {
            return;
        }

        var state = endpoints[handle]!;
        resolver.EndpointLeaving(state);

        DetachIdentity(state);
        foreach (var l in listeners)
        {
            l.OnEndpointRemoved(id);
        }

        endpoints[handle] = null;
        walker.Clear(handle);
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
            resolver.SetEndpointList(endpoint, -1);
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
            IntSet.File(identitiesByNamespace, key.Namespace, id);
            foreach (var (k, v) in key.Labels)
            {
                IntSet.File(identitiesByLabel, (k, v), id);
            }

            endpoint.Identity = id;
            identity.Endpoints.Add(endpoint.Id);
            selectors.MatchNewIdentity(identity);
        }
        else
        {
            endpoint.Identity = id;
            var identity = identities[id]!;
            identity.Endpoints.Add(endpoint.Id);
            endpoint.Matchers = identity.PeerArray;
            foreach (var m in identity.Matchers)
            {
                selectors.EmitMember(m, endpoint, added: true);
            }
        }

        resolver.SetEndpointList(endpoint, identities[endpoint.Identity]!.List);
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
            selectors.EmitMember(m, endpoint, added: false);
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
            selectors.RemoveMembership(selectors.Matchers[m]!, identity, emitPerEndpoint: false);
        }

        selectors.Peers.Release(identity.Peers);
        identity.Peers = null;

        resolver.SetIdentityList(identity, -1);
        identityIds.Remove(identity.Key);
        IntSet.Unfile(identitiesByNamespace, identity.Key.Namespace, identity.Id);
        foreach (var (k, v) in identity.Key.Labels)
        {
            IntSet.Unfile(identitiesByLabel, (k, v), identity.Id);
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

    public bool HasNetworkSetIn(string ns)
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
    public bool AccountInUse(string ns, string sa)
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

    public LabelSet NamespaceLabelsOf(string ns) =>
        namespaceLabels.TryGetValue(ns, out var labels) ? labels : LabelSet.Of(NamespaceInfo.NameLabel, ns);


    public LabelSet CalicoNamespaceLabelsOf(string ns) => CalicoNamespaceEntry(ns).Calico;

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

    public LabelSet CalicoLabelsOf(IdentityState identity)
    {
        if (identity.CachedCalicoLabels is { } cached)
        {
            return cached;
        }

        var key = identity.Key;
        return identity.CachedCalicoLabels = LabelSet.Merge(key.Labels, CalicoNamespaceEntry(key.Namespace).Prefixed, CalicoAccountLabelsOf(key.Namespace, key.ServiceAccount));
    }

    public WorkloadFacts FactsOf(IdentityState identity)
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

    /// <summary>This stage's tables, for <see cref="CalculationEngine.Census"/>.</summary>
    public IEnumerable<(string Table, int Count)> Census()
    {
        static int Live<T>(List<T?> slots)
            where T : class => slots.Count(s => s is not null);

        return
        [
            ("namespaces", namespaceLabels.Count),
            ("service accounts", serviceAccountLabels.Count),
            ("identity ids", identityIds.Count),
            ("identities", Live(identities)),
            ("identities by namespace", identitiesByNamespace.Count),
            ("identities by namespace (members)", identitiesByNamespace.Values.Sum(s => s.Count)),
            ("identities by label", identitiesByLabel.Count),
            ("identities by label (members)", identitiesByLabel.Values.Sum(s => s.Count)),
            ("endpoint ids", endpointIds.Count),
            ("endpoints", Live(endpoints)),
            ("nodes", nodes.Count),
            ("nodes by address", nodesByAddress.Count),
            ("network sets", networkSets.Count),
            ("cached labels of namespaces nothing is in", calicoNamespaceCache.Keys.Count(ns => !namespaceLabels.ContainsKey(ns) && !identitiesByNamespace.ContainsKey(ns) && !HasNetworkSetIn(ns))),
            ("cached labels of accounts nothing uses", calicoAccountCache.Keys.Union(selectableAccountCache.Keys).Count(a => !serviceAccountLabels.ContainsKey(a) && !AccountInUse(a.Ns, a.Sa))),
        ];
    }
}
