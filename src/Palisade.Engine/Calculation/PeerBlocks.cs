namespace Palisade.Engine.Calculation;

/// <summary>
/// The identities' peer blocks: of the selectors each identity is in, those rules name as peers, sorted after their
/// signature (<see cref="TierProgram.PeerBlockHeader"/>): what the fast path searches for a remote end. Identities with
/// the same peers share one block.
/// </summary>
/// <remarks>
/// Contract: counts, per selector, the rules naming it as a peer (<see cref="AddPeerRef"/>, balanced on removal); is
/// told which identities' selectors changed (<see cref="MatchersChanged"/>); at <see cref="Refresh"/> (the end of a
/// flush) makes their blocks again and writes each endpoint whose block changed to the walker's hot entries. A block
/// goes when its last identity lets go of it.
/// </remarks>
internal sealed class PeerBlocks(IdentityIndex identities, VerdictWalker walker)
{
    private readonly HashSet<IdentityState> dirtyPeerArrays = new(ReferenceEqualityComparer.Instance);

    /// <summary>Marks an identity whose selectors changed: its block is made again at the next refresh.</summary>
    public void MatchersChanged(IdentityState identity)
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

    public void AddPeerRef(int matcher, int delta)
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
    public void Refresh(List<MatcherState?> matchers)
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
                MatchersChanged(identities.Identities[identityId]!);
            }
        }

        peerRefsChanged.Clear();
        foreach (var identity in dirtyPeerArrays)
        {
            identity.PeerArrayDirty = false;
            if (identities.Identities[identity.Id] != identity)
            {
                // Freed since it was marked (its block went when it did).
                continue;
            }

            var old = identity.Peers;
            identity.Peers = PeersOf(identity.Matchers);
            Release(old);
            if (identity.Peers == old)
            {
                // Its peers are what they were (a change among selectors no rule names as a peer): entries unchanged.
                continue;
            }

            foreach (var e in identity.Endpoints)
            {
                var endpoint = identities.Endpoints[e]!;
                endpoint.Matchers = identity.PeerArray;
                walker.Write(endpoint);
            }
        }

        dirtyPeerArrays.Clear();
    }

    /// <summary>
    /// The peer block (<see cref="TierProgram.PeerBlockHeader"/>) of the peer selectors among <paramref name="selectors"/>,
    /// one of <see cref="peerBlocks"/>, taken once more (<see cref="Release"/> lets it go); null when none is.
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
    private readonly HashSet<PeerBlock> peerBlocks = new(PeerBlock.Comparer.Instance);

    public void Release(PeerBlock? block)
    {
        if (block is not null && --block.Uses == 0)
        {
            peerBlocks.Remove(block);
        }
    }

    /// <summary>The shared blocks (what packing copies).</summary>
    public IEnumerable<PeerBlock> All => peerBlocks;

    /// <summary>This stage's tables, for <see cref="CalculationEngine.Census"/>.</summary>
    public IEnumerable<(string Table, int Count)> Census() =>
    [
        ("dirty peer arrays", dirtyPeerArrays.Count),
        ("peer refs changed", peerRefsChanged.Count),
        ("peer blocks", peerBlocks.Count),
    ];

    /// <summary>
    /// For tests: how many identities hold peer selectors, how many distinct arrays of them they hold, how many distinct
    /// sets of peers, and how many blocks are kept (with how many uses in all).
    /// </summary>
    public (int Identities, int Arrays, int Sets, int Blocks, int Uses) PeerArrays()
    {
        var live = identities.Identities.Where(i => i is not null && i.PeerArray != TierProgram.NoPeers).Select(i => i!.PeerArray).ToList();
        return (live.Count, live.Distinct(ReferenceEqualityComparer.Instance).Count(), live.Select(a => new PeerBlock(a)).Distinct(PeerBlock.Comparer.Instance).Count(), peerBlocks.Count, peerBlocks.Sum(b => b.Uses));
    }
}
