using Palisade.Engine.Evaluation;
using Palisade.Model;
using Palisade.Model.Cluster;
using Palisade.Model.Policies;

namespace Palisade.Engine.Calculation;

/// <summary>
/// The selector index: every distinct set of identity conditions (a peer without its address conditions) is one
/// entry, shared by every policy that uses it, holding the identities it matches. Entries are filed by namespace and by
/// a label they require, so that a new identity or a namespace change is checked only against entries it can affect.
/// </summary>
/// <remarks>
/// Contract: owns the entries (taken with <see cref="Acquire"/> and counted, freed by the last <see cref="Release"/>)
/// and their memberships, and marks in <see cref="Peers"/> the identities whose memberships changed. It
/// reads the identity index (identities, their metadata and labels, network sets) and is told by it of new identities
/// and changed metadata; it hands on an identity whose subject entries changed (to the policy resolver, through
/// <paramref name="subjectsChanged"/>). A membership is always the metadata's answer: an incremental index equals one built
/// from scratch (IncrementalEquivalenceTests, StateSyncTests).
/// </remarks>
internal sealed class SelectorIndex(IdentityIndex identities, VerdictWalker walker, List<ICalculationListener> listeners, List<MatcherState?> matchers, Action<IdentityState> subjectsChanged)
{
    private readonly Dictionary<Peer, int> matcherIds = [];
    private readonly Stack<int> freeMatchers = new();
    private readonly Dictionary<string, IntSet> matchersByNamespace = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Key, string Value), IntSet> matchersByLabel = [];
    private readonly Dictionary<(string Key, string Value), IntSet> matchersByNamespaceLabel = [];
    private readonly HashSet<int> matchersUnindexed = [];
    private readonly HashSet<int> matchersReadingNamespaces = [];
    private readonly HashSet<int> matchersReadingServiceAccounts = [];

    /// <summary>Entries by id (null: a free id).</summary>
    public List<MatcherState?> Matchers => matchers;

    /// <summary>Entry ids by their identity conditions.</summary>
    public Dictionary<Peer, int> MatcherIds => matcherIds;

    private readonly PeerBlocks peers = new(identities, walker);

    /// <summary>The identities' peer blocks, kept from the memberships this index files.</summary>
    public PeerBlocks Peers => peers;

    /// <summary>Makes again the peer blocks of the identities marked since the last refresh (the end of a flush).</summary>
    public void RefreshPeerArrays() => peers.Refresh(matchers);

    /// <summary>The identity part of a peer: what the selector index keys on (addresses are checked per flow).</summary>
    public static Peer IdentityPart(Peer peer) => peer with { Nets = EquatableArray<CidrBlock>.Empty, NodeSelector = null };

    public int Acquire(Peer peer)
    {
        var key = IdentityPart(peer);
        if (matcherIds.TryGetValue(key, out var id))
        {
            matchers[id]!.RefCount++;
            return id;
        }

        id = freeMatchers.Count > 0 ? freeMatchers.Pop() : matchers.Count;
        var m = new MatcherState { Id = id, Peer = key, RefCount = 1 };
        if (id == matchers.Count)
        {
            matchers.Add(m);
        }
        else
        {
            matchers[id] = m;
        }

        matcherIds[key] = id;
        FileMatcher(m, add: true);
        foreach (var l in listeners)
        {
            l.OnSelector(id, key, active: true);
        }

        foreach (var identityId in Candidates(m))
        {
            var identity = identities.Identities[identityId]!;
            if (PeerMatching.MatchesMetadata(m.Peer, identities.FactsOf(identity)))
            {
                AddMembership(m, identity);
            }
        }

        return id;
    }

    public void Release(int id)
    {
        var m = matchers[id]!;
        if (--m.RefCount > 0)
        {
            return;
        }

        foreach (var identityId in m.Members.ToArray())
        {
            RemoveMembership(m, identities.Identities[identityId]!, emitPerEndpoint: true);
        }

        FileMatcher(m, add: false);
        matcherIds.Remove(m.Peer);
        foreach (var l in listeners)
        {
            l.OnSelector(id, m.Peer, active: false);
        }

        matchers[id] = null;
        freeMatchers.Push(id);
    }

    private void FileMatcher(MatcherState m, bool add)
    {
        var peer = m.Peer;
        if (add)
        {
            if (peer.Namespace is not null)
            {
                m.Kind = MatcherState.IndexKind.Namespace;
            }
            else if (RequiredLabel.Of(peer.Selector) is { } required && !IsDerivedKey(required.Key, peer))
            {
                m.Kind = MatcherState.IndexKind.Label;
                m.Required = required;
            }
            else if (RequiredLabel.Of(peer.NamespaceSelector) is { } nsRequired && !IsDerivedNamespaceKey(nsRequired.Key, peer))
            {
                m.Kind = MatcherState.IndexKind.NamespaceLabel;
                m.Required = nsRequired;
            }
            else
            {
                m.Kind = MatcherState.IndexKind.Unindexed;
            }
        }

        void Apply<TKey>(Dictionary<TKey, IntSet> index, TKey key)
            where TKey : notnull
        {
            if (add)
            {
                IntSet.File(index, key, m.Id);
            }
            else
            {
                IntSet.Unfile(index, key, m.Id);
            }
        }

        switch (m.Kind)
        {
            case MatcherState.IndexKind.Namespace:
                Apply(matchersByNamespace, peer.Namespace!);
                break;
            case MatcherState.IndexKind.Label:
                foreach (var v in m.Required!.Value.Values)
                {
                    Apply(matchersByLabel, (m.Required.Value.Key, v));
                }

                break;
            case MatcherState.IndexKind.NamespaceLabel:
                foreach (var v in m.Required!.Value.Values)
                {
                    Apply(matchersByNamespaceLabel, (m.Required.Value.Key, v));
                }

                break;
            default:
                if (add)
                {
                    matchersUnindexed.Add(m.Id);
                }
                else
                {
                    matchersUnindexed.Remove(m.Id);
                }

                break;
        }

        var readsNamespaces = peer.NamespaceSelector is not null || (peer.CalicoScope && SelectorKeys.ReadsKeyWithPrefix(peer.Selector, "pcns."));
        var readsServiceAccounts = peer.ServiceAccountSelector is not null || (peer.CalicoScope && SelectorKeys.ReadsKeyWithPrefix(peer.Selector, "pcsa."));
        if (add)
        {
            if (readsNamespaces)
            {
                matchersReadingNamespaces.Add(m.Id);
            }

            if (readsServiceAccounts)
            {
                matchersReadingServiceAccounts.Add(m.Id);
            }
        }
        else
        {
            matchersReadingNamespaces.Remove(m.Id);
            matchersReadingServiceAccounts.Remove(m.Id);
        }
    }

    /// <summary>Labels Calico derives (namespace, service account) are not on the identity's own labels: no label index.</summary>
    private static bool IsDerivedKey(string key, Peer peer) =>
        peer.CalicoScope && (key.StartsWith("pcns.", StringComparison.Ordinal) || key.StartsWith("pcsa.", StringComparison.Ordinal) || key.StartsWith("projectcalico.org/", StringComparison.Ordinal));

    private static bool IsDerivedNamespaceKey(string key, Peer peer) => peer.CalicoScope && key == "projectcalico.org/name";

    /// <summary>The identities a new entry could match, narrowed by its index kind.</summary>
    private IEnumerable<int> Candidates(MatcherState m)
    {
        switch (m.Kind)
        {
            case MatcherState.IndexKind.Namespace:
                return identities.IdentitiesByNamespace.TryGetValue(m.Peer.Namespace!, out var inNs) ? inNs : [];
            case MatcherState.IndexKind.Label:
            {
                var (key, values) = m.Required!.Value;
                return values.SelectMany(v => identities.IdentitiesByLabel.TryGetValue((key, v), out var s) ? s : (IEnumerable<int>)[]).Distinct();
            }

            case MatcherState.IndexKind.NamespaceLabel:
            {
                var (key, values) = m.Required!.Value;
                var (namespaceLabels, byNamespace) = (identities.NamespaceLabels, identities.IdentitiesByNamespace);
                return namespaceLabels
                    .Where(ns => ns.Value.TryGetValue(key, out var v) && values.Contains(v, StringComparer.Ordinal))
                    .SelectMany(ns => byNamespace.TryGetValue(ns.Key, out var s) ? s : (IEnumerable<int>)[])
                    .Concat(byNamespace.Keys.Where(ns => !namespaceLabels.ContainsKey(ns) && key == NamespaceInfo.NameLabel && values.Contains(ns, StringComparer.Ordinal)).SelectMany(ns => byNamespace[ns]))
                    .Distinct();
            }

            default:
                return identities.IdentityIds;
        }
    }

    /// <summary>Checks a new identity against the entries it could match.</summary>
    public void MatchNewIdentity(IdentityState identity)
    {
        var key = identity.Key;
        var facts = identities.FactsOf(identity);
        void Try(int matcherId)
        {
            var m = matchers[matcherId]!;
            if (!m.Members.Contains(identity.Id) && PeerMatching.MatchesMetadata(m.Peer, facts))
            {
                AddMembership(m, identity);
            }
        }

        if (matchersByNamespace.TryGetValue(key.Namespace, out var scoped))
        {
            foreach (var m in scoped)
            {
                Try(m);
            }
        }

        foreach (var (k, v) in key.Labels)
        {
            if (matchersByLabel.TryGetValue((k, v), out var byLabel))
            {
                foreach (var m in byLabel)
                {
                    Try(m);
                }
            }
        }

        foreach (var (k, v) in identities.NamespaceLabelsOf(key.Namespace))
        {
            if (matchersByNamespaceLabel.TryGetValue((k, v), out var byNsLabel))
            {
                foreach (var m in byNsLabel)
                {
                    Try(m);
                }
            }
        }

        foreach (var m in matchersUnindexed)
        {
            Try(m);
        }
    }

    /// <summary>
    /// Re-checks the identities of a namespace against the entries whose answer can change: those whose namespace
    /// selector answers differently for the old and new labels, and Calico selectors reading inherited pcns. labels.
    /// </summary>
    public void NamespaceChanged(string ns, LabelSet oldLabels)
    {
        // A Calico namespace selector picks the network sets of this namespace by its labels: the blocks selectors keep
        // for network sets are stale once those labels change.
        if (identities.HasNetworkSetIn(ns))
        {
            NetworkSetsChanged();
        }

        if (!identities.IdentitiesByNamespace.TryGetValue(ns, out var inNs))
        {
            return;
        }

        var newLabels = identities.NamespaceLabelsOf(ns);

        // Calico's namespace selectors also see the namespace's name as a label: both views made once, not per selector.
        var oldCalico = oldLabels.With("projectcalico.org/name", ns);
        var newCalico = newLabels.With("projectcalico.org/name", ns);
        var affected = new HashSet<int>();
        foreach (var matcherId in matchersReadingNamespaces)
        {
            var peer = matchers[matcherId]!.Peer;
            if (peer.Namespace is { } scope && scope != ns)
            {
                continue;
            }

            var selectorReads = peer.CalicoScope && SelectorKeys.ReadsKeyWithPrefix(peer.Selector, "pcns.");
            var nsSelectorFlips = peer.NamespaceSelector is { } nsSel && (peer.CalicoScope
                ? nsSel.Matches(oldCalico) != nsSel.Matches(newCalico)
                : nsSel.Matches(oldLabels) != nsSel.Matches(newLabels));
            if (selectorReads || nsSelectorFlips)
            {
                affected.Add(matcherId);
            }
        }

        foreach (var identityId in inNs)
        {
            var identity = identities.Identities[identityId]!;
            identity.CachedCalicoLabels = null;
            if (affected.Count > 0)
            {
                Recheck(identity, affected);
            }
        }
    }

    public void ServiceAccountChanged(string ns, string sa)
    {
        if (!identities.IdentitiesByNamespace.TryGetValue(ns, out var inNs))
        {
            return;
        }

        foreach (var identityId in inNs)
        {
            var identity = identities.Identities[identityId]!;
            if (identity.Key.ServiceAccount == sa)
            {
                identity.CachedCalicoLabels = null;
                Recheck(identity, matchersReadingServiceAccounts);
            }
        }
    }

    private void Recheck(IdentityState identity, HashSet<int> affected)
    {
        var facts = identities.FactsOf(identity);
        foreach (var matcherId in affected)
        {
            var m = matchers[matcherId]!;
            var now = PeerMatching.MatchesMetadata(m.Peer, facts);
            var was = m.Members.Contains(identity.Id);
            if (now && !was)
            {
                AddMembership(m, identity);
            }
            else if (!now && was)
            {
                RemoveMembership(m, identity, emitPerEndpoint: true);
            }
        }
    }

    public void NetworkSetsChanged()
    {
        foreach (var m in matchers)
        {
            if (m is not null)
            {
                m.SelectedNets = null;
            }
        }
    }

    private void AddMembership(MatcherState m, IdentityState identity)
    {
        m.Members.Add(identity.Id);
        identity.Matchers.Add(m.Id);
        peers.MatchersChanged(identity);
        foreach (var e in identity.Endpoints)
        {
            EmitMember(m.Id, identities.Endpoints[e]!, added: true);
        }

        if (m.SubjectOf.Count > 0)
        {
            subjectsChanged(identity);
        }
    }

    public void RemoveMembership(MatcherState m, IdentityState identity, bool emitPerEndpoint)
    {
        m.Members.Remove(identity.Id);
        identity.Matchers.Remove(m.Id);
        peers.MatchersChanged(identity);
        if (emitPerEndpoint)
        {
            foreach (var e in identity.Endpoints)
            {
                EmitMember(m.Id, identities.Endpoints[e]!, added: false);
            }
        }

        if (m.SubjectOf.Count > 0)
        {
            subjectsChanged(identity);
        }
    }

    public void EmitMember(int matcher, EndpointState endpoint, bool added)
    {
        foreach (var l in listeners)
        {
            l.OnSelectorMember(matcher, endpoint.Key, added);
        }
    }

    /// <summary>
    /// The blocks of the network sets a selector selects, computed once and kept on it. Apart from the flow path: a
    /// lambda capturing the selector there would cost the path an allocation on every call, the blocks kept or not.
    /// </summary>
    public CidrBlock[] SelectedNets(MatcherState m) =>
        m.SelectedNets = [.. identities.NetworkSets.Values.Where(s => NetworkSetSelected(m.Peer, s)).SelectMany(s => s.Nets)];

    public bool NetworkSetSelected(Peer peer, NetworkSetInfo set)
    {
        if (set.Namespace is { } ns)
        {
            if (peer.Namespace is { } scope && !string.Equals(scope, ns, StringComparison.Ordinal))
            {
                return false;
            }

            if (peer.NamespaceSelector is { } nsSelector && !nsSelector.Matches(identities.CalicoNamespaceLabelsOf(ns)))
            {
                return false;
            }
        }
        else
        {
            if (peer.Namespace is not null)
            {
                return false;
            }

            if (peer.NamespaceSelector is { } nsSelector && !(nsSelector.Matches(LabelSet.Empty, global: true) && !nsSelector.Matches(LabelSet.Empty, global: false)))
            {
                return false;
            }
        }

        var labels = set.Namespace is null ? set.Labels : set.Labels.With("projectcalico.org/namespace", set.Namespace);
        return peer.Selector is null || peer.Selector.Matches(labels);
    }

    /// <summary>This stage's tables, for <see cref="CalculationEngine.Census"/>.</summary>
    public IEnumerable<(string Table, int Count)> Census() =>
    [
        ("selector ids", matcherIds.Count),
        ("selectors", matchers.Count(m => m is not null)),
        ("selectors by namespace", matchersByNamespace.Count),
        ("selectors by label", matchersByLabel.Count),
        ("selectors by namespace label", matchersByNamespaceLabel.Count),
        ("unindexed selectors", matchersUnindexed.Count),
        ("selectors reading namespaces", matchersReadingNamespaces.Count),
        ("selectors reading service accounts", matchersReadingServiceAccounts.Count),
    ];
}
