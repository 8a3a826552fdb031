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
public sealed partial class CalculationEngine
{
    private readonly Dictionary<Peer, int> matcherIds = [];
    private readonly List<MatcherState?> matchers = [];
    private readonly Stack<int> freeMatchers = new();
    private readonly Dictionary<string, IntSet> matchersByNamespace = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Key, string Value), IntSet> matchersByLabel = [];
    private readonly Dictionary<(string Key, string Value), IntSet> matchersByNamespaceLabel = [];
    private readonly HashSet<int> matchersUnindexed = [];
    private readonly HashSet<int> matchersReadingNamespaces = [];
    private readonly HashSet<int> matchersReadingServiceAccounts = [];

    /// <summary>Number of distinct selector index entries.</summary>
    public int SelectorCount => matcherIds.Count;

    internal sealed class MatcherState
    {
        public required int Id;
        public required Peer Peer;
        public readonly IntSet Members = new();
        public int RefCount;
        public readonly List<PolicyState> SubjectOf = [];

        /// <summary>Whether its members' peer arrays hold it (its <see cref="peerRefs"/> count was above 0 at the last flush).</summary>
        public bool PublishedPeer;

        /// <summary>The policies this selector is the subject of, per tier, in precedence order (kept up to date by edits).</summary>
        public TierPolicies[]? ByTier;
        public IndexKind Kind;
        public (string Key, string[] Values)? Required;
        public CidrBlock[]? SelectedNets;
    }

    internal enum IndexKind
    {
        Namespace,
        Label,
        NamespaceLabel,
        Unindexed,
    }

    /// <summary>The identity part of a peer: what the selector index keys on (addresses are checked per flow).</summary>
    private static Peer IdentityPart(Peer peer) => peer with { Nets = EquatableArray<CidrBlock>.Empty, NodeSelector = null };

    private int AcquireMatcher(Peer peer)
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
            var identity = identities[identityId]!;
            if (PeerMatching.MatchesMetadata(m.Peer, FactsOf(identity)))
            {
                AddMembership(m, identity);
            }
        }

        return id;
    }

    private void ReleaseMatcher(int id)
    {
        var m = matchers[id]!;
        if (--m.RefCount > 0)
        {
            return;
        }

        foreach (var identityId in m.Members.ToArray())
        {
            RemoveMembership(m, identities[identityId]!, emitPerEndpoint: true);
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
                m.Kind = IndexKind.Namespace;
            }
            else if (RequiredLabel.Of(peer.Selector) is { } required && !IsDerivedKey(required.Key, peer))
            {
                m.Kind = IndexKind.Label;
                m.Required = required;
            }
            else if (RequiredLabel.Of(peer.NamespaceSelector) is { } nsRequired && !IsDerivedNamespaceKey(nsRequired.Key, peer))
            {
                m.Kind = IndexKind.NamespaceLabel;
                m.Required = nsRequired;
            }
            else
            {
                m.Kind = IndexKind.Unindexed;
            }
        }

        void Apply<TKey>(Dictionary<TKey, IntSet> index, TKey key)
            where TKey : notnull
        {
            if (add)
            {
                Index(index, key, m.Id);
            }
            else
            {
                Unindex(index, key, m.Id);
            }
        }

        switch (m.Kind)
        {
            case IndexKind.Namespace:
                Apply(matchersByNamespace, peer.Namespace!);
                break;
            case IndexKind.Label:
                foreach (var v in m.Required!.Value.Values)
                {
                    Apply(matchersByLabel, (m.Required.Value.Key, v));
                }

                break;
            case IndexKind.NamespaceLabel:
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
            case IndexKind.Namespace:
                return identitiesByNamespace.TryGetValue(m.Peer.Namespace!, out var inNs) ? inNs : [];
            case IndexKind.Label:
            {
                var (key, values) = m.Required!.Value;
                return values.SelectMany(v => identitiesByLabel.TryGetValue((key, v), out var s) ? s : (IEnumerable<int>)[]).Distinct();
            }

            case IndexKind.NamespaceLabel:
            {
                var (key, values) = m.Required!.Value;
                return namespaceLabels
                    .Where(ns => ns.Value.TryGetValue(key, out var v) && values.Contains(v, StringComparer.Ordinal))
                    .SelectMany(ns => identitiesByNamespace.TryGetValue(ns.Key, out var s) ? s : (IEnumerable<int>)[])
                    .Concat(identitiesByNamespace.Keys.Where(ns => !namespaceLabels.ContainsKey(ns) && key == NamespaceInfo.NameLabel && values.Contains(ns, StringComparer.Ordinal)).SelectMany(ns => identitiesByNamespace[ns]))
                    .Distinct();
            }

            default:
                return identityIds.Values;
        }
    }

    /// <summary>Checks a new identity against the entries it could match.</summary>
    private void MatchNewIdentity(IdentityState identity)
    {
        var key = identity.Key;
        var facts = FactsOf(identity);
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

        foreach (var (k, v) in NamespaceLabelsOf(key.Namespace))
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
    private void NamespaceChanged(string ns, LabelSet oldLabels)
    {
        // A Calico namespace selector picks the network sets of this namespace by its labels: the blocks selectors keep
        // for network sets are stale once those labels change.
        if (HasNetworkSetIn(ns))
        {
            NetworkSetsChanged();
        }

        if (!identitiesByNamespace.TryGetValue(ns, out var inNs))
        {
            return;
        }

        var newLabels = NamespaceLabelsOf(ns);

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
            var identity = identities[identityId]!;
            identity.CachedCalicoLabels = null;
            if (affected.Count > 0)
            {
                Recheck(identity, affected);
            }
        }
    }

    private void ServiceAccountChanged(string ns, string sa)
    {
        if (!identitiesByNamespace.TryGetValue(ns, out var inNs))
        {
            return;
        }

        foreach (var identityId in inNs)
        {
            var identity = identities[identityId]!;
            if (identity.Key.ServiceAccount == sa)
            {
                identity.CachedCalicoLabels = null;
                Recheck(identity, matchersReadingServiceAccounts);
            }
        }
    }

    private void Recheck(IdentityState identity, HashSet<int> affected)
    {
        var facts = FactsOf(identity);
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

    private void NetworkSetsChanged()
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
        MatchersChanged(identity);
        foreach (var e in identity.Endpoints)
        {
            EmitMember(m.Id, endpoints[e]!, added: true);
        }

        if (m.SubjectOf.Count > 0)
        {
            SubjectsChanged(identity);
        }
    }

    private void RemoveMembership(MatcherState m, IdentityState identity, bool emitPerEndpoint)
    {
        m.Members.Remove(identity.Id);
        identity.Matchers.Remove(m.Id);
        MatchersChanged(identity);
        if (emitPerEndpoint)
        {
            foreach (var e in identity.Endpoints)
            {
                EmitMember(m.Id, endpoints[e]!, added: false);
            }
        }

        if (m.SubjectOf.Count > 0)
        {
            SubjectsChanged(identity);
        }
    }

    private readonly HashSet<IdentityState> dirtyPeerArrays = new(ReferenceEqualityComparer.Instance);

    private void MatchersChanged(IdentityState identity)
    {
        if (!identity.PeerArrayDirty)
        {
            identity.PeerArrayDirty = true;
            dirtyPeerArrays.Add(identity);
        }
    }

    /// <summary>
    /// By selector id, how many rules' peers name the selector: only then can a flow's remote end be looked up in it. A
    /// selector that is only ever a subject decides lists, not peers, and stays out of the fast path's arrays. Dense, as
    /// a refresh reads it for every selector of every identity it refreshes; a freed selector's count is 0 (its peer
    /// references go before it does).
    /// </summary>
    private int[] peerRefs = new int[256];

    /// <summary>Selectors whose <see cref="peerRefs"/> count changed since the last flush.</summary>
    private readonly HashSet<int> peerRefsChanged = [];

    private void AddPeerRef(int matcher, int delta)
    {
        if (matcher >= peerRefs.Length)
        {
            Array.Resize(ref peerRefs, Math.Max(peerRefs.Length * 2, matcher + 1));
        }

        peerRefs[matcher] += delta;
        peerRefsChanged.Add(matcher);
    }

    /// <summary>
    /// Refreshes the peer blocks of the identities marked (their selectors changed), which the fast path searches for a
    /// remote end. First, a selector that became a peer or stopped being one (not a policy replaced by a version naming
    /// it again) marks its members.
    /// </summary>
    private void RefreshPeerArrays()
    {
        foreach (var id in peerRefsChanged)
        {
            // A freed selector's members have left it; an id reused since is a new selector, whose members are new.
            if (matchers[id] is not { } m || m.PublishedPeer == peerRefs[id] > 0)
            {
                continue;
            }

            m.PublishedPeer = peerRefs[id] > 0;
            foreach (var identityId in m.Members)
            {
                MatchersChanged(identities[identityId]!);
            }
        }

        peerRefsChanged.Clear();
        foreach (var identity in dirtyPeerArrays)
        {
            identity.PeerArrayDirty = false;
            if (identities[identity.Id] != identity)
            {
                // Freed since it was marked (its block went when it did).
                continue;
            }

            var old = identity.Peers;
            identity.Peers = PeersOf(identity.Matchers);
            ReleasePeerBlock(old);
            if (identity.Peers == old)
            {
                // Its peers are what they were (a change among selectors no rule names as a peer): entries unchanged.
                continue;
            }

            foreach (var e in identity.Endpoints)
            {
                var endpoint = endpoints[e]!;
                endpoint.Matchers = identity.PeerArray;
                Sync(endpoint);
            }
        }

        dirtyPeerArrays.Clear();
    }

    /// <summary>
    /// The peer block (<see cref="TierProgram.PeerBlockHeader"/>) of the peer selectors among <paramref name="selectors"/>,
    /// one of <see cref="peerBlocks"/>, taken once more (<see cref="ReleasePeerBlock"/> lets it go); null when none is.
    /// </summary>
    private PeerBlock? PeersOf(IntSet selectors)
    {
        var size = TierProgram.PeerBlockHeader + selectors.Count;
        Span<int> block = size <= 256 ? stackalloc int[size] : new int[size];
        var count = 0;
        foreach (var m in selectors)
        {
            if ((uint)m < (uint)peerRefs.Length && peerRefs[m] > 0)
            {
                block[TierProgram.PeerBlockHeader + count++] = m;
            }
        }

        if (count == 0)
        {
            return null;
        }

        block = block[..(TierProgram.PeerBlockHeader + count)];
        block[TierProgram.PeerBlockHeader..].Sort();
        TierProgram.WriteSignature(block);
        var blocks = peerBlocks.GetAlternateLookup<ReadOnlySpan<int>>();
        if (!blocks.TryGetValue(block, out var shared))
        {
            shared = new PeerBlock(block.ToArray());
            peerBlocks.Add(shared);
        }

        shared.Uses++;
        return shared;
    }

    /// <summary>
    /// The peer blocks identities hold, by content, each with how many hold it: identities with the same peer selectors
    /// share one (at (100k, 10k) 43,817 identities have 7,382 distinct sets, 0.3 MB where one array each took 1.65 MB),
    /// through churn too. A block goes when its last identity lets go of it.
    /// </summary>
    private readonly HashSet<PeerBlock> peerBlocks = new(PeerBlockComparer.Instance);

    private void ReleasePeerBlock(PeerBlock? block)
    {
        if (block is not null && --block.Uses == 0)
        {
            peerBlocks.Remove(block);
        }
    }

    /// <summary>A shared peer block and how many identities hold it; packing moves its words to a copy.</summary>
    internal sealed class PeerBlock(int[] words)
    {
        public int[] Words = words;
        public int Uses;

        /// <summary>Set once <see cref="Words"/> has been copied into the dense layout after a load.</summary>
        public bool Packed;
    }

    /// <summary>Peer blocks compared by content, hashed by their signature and length (no pass over their selectors); found by a span of words.</summary>
    private sealed class PeerBlockComparer : IEqualityComparer<PeerBlock>, IAlternateEqualityComparer<ReadOnlySpan<int>, PeerBlock>
    {
        public static readonly PeerBlockComparer Instance = new();

        public bool Equals(PeerBlock? x, PeerBlock? y) => ReferenceEquals(x, y) || (x is not null && y is not null && x.Words.AsSpan().SequenceEqual(y.Words));

        public int GetHashCode(PeerBlock block) => GetHashCode(block.Words);

        public bool Equals(ReadOnlySpan<int> alternate, PeerBlock other) => alternate.SequenceEqual(other.Words);

        public int GetHashCode(ReadOnlySpan<int> alternate) => HashCode.Combine(alternate[0], alternate[1], alternate[2], alternate[3], alternate.Length);

        public PeerBlock Create(ReadOnlySpan<int> alternate) => new(alternate.ToArray());
    }

    private void EmitMember(int matcher, EndpointState endpoint, bool added)
    {
        foreach (var l in listeners)
        {
            l.OnSelectorMember(matcher, endpoint.Key, added);
        }
    }
}
