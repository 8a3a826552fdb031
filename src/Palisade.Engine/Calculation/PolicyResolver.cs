using Palisade.Model;
using Palisade.Model.Policies;

namespace Palisade.Engine.Calculation;

/// <summary>
/// The policy resolver: tiers and policies come in, compiled against the selector index; it gives every identity its
/// ordered policy list. Lists are keyed by the set of subject selectors an identity matches, so identities (and
/// endpoints) that are selected alike share one list, and a policy change touches lists, not endpoints. A list is its
/// tier runs, shared through the run cache, whose programs the tier-program compiler builds.
/// </summary>
/// <remarks>
/// Contract: owns tiers, policies (with their compiled rules and the selectors they took, released exactly on removal),
/// and the lists (with which lists hold each subject). It is told by the selector index which identities' subjects
/// changed, and by the identity index which endpoints come and go; at <see cref="Flush"/> it finds those identities'
/// lists and edits (or rebuilds) the lists whose policies changed, then publishes each changed list's programs to its
/// endpoints (the walker's hot entries). A list equals, at every flush, the policies of its subjects in precedence
/// order, tier by tier (IncrementalEquivalenceTests: incremental equals a fresh build).
/// </remarks>
internal sealed class PolicyResolver(IdentityIndex identityIndex, SelectorIndex selectors, TierRunCache runCache, RuleCompiler ruleCompiler, VerdictWalker walker, List<ICalculationListener> listeners)
{
    private readonly Dictionary<string, TierState> tiers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PolicyState> policies = new(StringComparer.Ordinal);
    private readonly List<PolicyState?> policyById = [];
    private readonly Stack<int> freePolicies = new();
    private readonly Dictionary<SubjectKey, int> listIds = [];
    private readonly List<PolicyList?> lists = [];

    /// <summary>Scratch for <see cref="Edit"/>.</summary>
    private readonly List<TierRun> editScratch = [];
    private readonly Stack<int> freeLists = new();
    private readonly HashSet<int> dirtyIdentities = [];
    private readonly HashSet<int> dirtyLists = [];
    private readonly Dictionary<int, IntSet> listsBySubject = [];
    private int nextTierId;
    private long nextPolicyStamp = 1;

    /// <summary>Tiers by name.</summary>
    public Dictionary<string, TierState> Tiers => tiers;

    /// <summary>Policies by key (<see cref="CalculationEngine.PolicyKey"/>).</summary>
    public Dictionary<string, PolicyState> Policies => policies;

    /// <summary>Policies by id (what fast-path outcomes name; null: a free id).</summary>
    public List<PolicyState?> PolicyById => policyById;

    /// <summary>Lists by id (null: a free id).</summary>
    public List<PolicyList?> Lists => lists;

    /// <summary>Number of distinct policy lists.</summary>
    public int ListCount => listIds.Count;

    /// <summary>An endpoint leaves: its list no longer holds it.</summary>
    public void EndpointLeaving(EndpointState endpoint)
    {
        if (endpoint.List >= 0 && lists[endpoint.List] is { } list)
        {
            list.Endpoints.Remove(endpoint.Id);
        }
    }

    public void UpsertTier(Tier tier)
    {
        ArgumentNullException.ThrowIfNull(tier);
        if (tiers.TryGetValue(tier.Name, out var state))
        {
            var changed = state.Tier.Order != tier.Order || state.Tier.EndAction != tier.EndAction;
            state.Tier = tier with { Policies = EquatableArray<Policy>.Empty };
            if (changed)
            {
                // Order or end action changed: the tier's cached programs are stale, and every list holding a policy of
                // this tier must be rebuilt.
                runCache.ForgetTier(state.Id);
                foreach (var m in selectors.Matchers)
                {
                    if (m is not null)
                    {
                        m.ByTier = null;
                    }
                }

                foreach (var l in lists)
                {
                    if (l is not null && l.Runs.Any(r => ReferenceEquals(r.Tier, state)))
                    {
                        l.Dirty = true;
                        l.NeedsRebuild = true;
                        dirtyLists.Add(l.Id);
                    }
                }
            }

            return;
        }

        tiers[tier.Name] = new TierState { Id = nextTierId++, Tier = tier with { Policies = EquatableArray<Policy>.Empty } };
    }

    /// <summary>
    /// Removes a tier that holds no policy, and says whether it did. A tier still holding policies stays until they are
    /// removed (Calico refuses to delete such a tier as well); a tier is only ever read through its policies, so an
    /// empty one changes no verdict either way, but one kept after it is gone would stay for good.
    /// </summary>
    public bool RemoveTier(string name)
    {
        if (!tiers.TryGetValue(name, out var state) || state.Policies > 0)
        {
            return false;
        }

        tiers.Remove(name);
        return true;
    }

    /// <summary>Number of tiers.</summary>
    public int TierCount => tiers.Count;

    /// <summary>Adds a policy, or replaces the policy with the same key. Staged policies are not enforced and are ignored.</summary>
    public void UpsertPolicy(string tierName, Policy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var key = CalculationEngine.PolicyKey(policy);

        // The old version's selectors are pinned while it is replaced, so that selectors both versions use keep their
        // ids and memberships: renderers see no selector leave and come back (a set deleted and created again).
        var pinned = policies.TryGetValue(key, out var previous) ? previous.Matchers.ToArray() : [];
        foreach (var m in pinned)
        {
            selectors.Matchers[m]!.RefCount++;
        }

        RemovePolicy(key);
        try
        {
            if (!policy.Staged)
            {
                AddPolicy(key, tierName, policy);
            }
        }
        finally
        {
            foreach (var m in pinned)
            {
                selectors.Release(m);
            }
        }
    }

    private void AddPolicy(string key, string tierName, Policy policy)
    {
        if (!tiers.TryGetValue(tierName, out var tier))
        {
            UpsertTier(new Tier(tierName, tierName == PolicyModel.DefaultTierName ? PolicyModel.DefaultTierOrder : double.PositiveInfinity, TierKind.Standard, RuleAction.Deny));
            tier = tiers[tierName];
        }

        var id = freePolicies.Count > 0 ? freePolicies.Pop() : policyById.Count;
        var state = new PolicyState { Id = id, Stamp = nextPolicyStamp++, Key = key, Policy = policy, Tier = tier };
        if (id == policyById.Count)
        {
            policyById.Add(state);
        }
        else
        {
            policyById[id] = state;
        }

        policies[key] = state;
        tier.Policies++;
        state.Ingress = policy.GovernsIngress ? ruleCompiler.Compile(state, policy.IngressRules, Direction.Ingress) : [];
        state.Egress = policy.GovernsEgress ? ruleCompiler.Compile(state, policy.EgressRules, Direction.Egress) : [];
        state.Subject = selectors.Acquire(policy.AppliesTo);
        state.Matchers.Add(state.Subject);
        var subject = selectors.Matchers[state.Subject]!;
        var wasSubject = subject.SubjectOf.Count > 0;
        subject.SubjectOf.Add(state);
        EditByTier(subject, state, added: true);
        // Lists holding this selector gain the policy (an edit, not a rebuild). Every change of a selector's policies
        // is such an edit, so a list stays equal to its selectors' policies even when a freed selector's id is reused.
        InvalidateListsWith(state.Subject, state, added: true);
        if (!wasSubject)
        {
            // The selector starts deciding lists: its identities move to new lists.
            foreach (var identityId in subject.Members)
            {
                dirtyIdentities.Add(identityId);
            }
        }
    }

    public void RemovePolicy(string key)
    {
        if (!policies.Remove(key, out var state))
        {
            return;
        }

        var subject = selectors.Matchers[state.Subject]!;
        subject.SubjectOf.Remove(state);
        EditByTier(subject, state, added: false);
        if (subject.SubjectOf.Count == 0)
        {
            // The selector no longer decides lists: its identities move to other lists.
            foreach (var identityId in subject.Members)
            {
                dirtyIdentities.Add(identityId);
            }
        }

        // Lists still holding this policy lose it at the next flush (or are freed when their identities leave).
        InvalidateListsWith(state.Subject, state, added: false);
        foreach (var m in state.PeerMatchers)
        {
            selectors.Peers.AddPeerRef(m, -1);
        }

        foreach (var m in state.Matchers)
        {
            selectors.Release(m);
        }

        state.Tier.Policies--;
        policyById[state.Id] = null;
        freePolicies.Push(state.Id);
    }

    private void InvalidateListsWith(int subject, PolicyState policy, bool added)
    {
        if (!listsBySubject.TryGetValue(subject, out var holding))
        {
            return;
        }

        foreach (var id in holding)
        {
            var list = lists[id]!;
            list.Dirty = true;
            list.Edits.Add((policy, added));
            dirtyLists.Add(id);
        }
    }

    /// <summary>An identity's subject selectors changed: its list is found again at the flush.</summary>
    public void SubjectsChanged(IdentityState identity) => dirtyIdentities.Add(identity.Id);

    /// <summary>Ends a batch: recomputes the lists of identities whose subjects changed and the lists whose policies changed, and publishes.</summary>
    public void Flush()
    {
        var (identities, matchers) = (identityIndex.Identities, selectors.Matchers);
        foreach (var identityId in dirtyIdentities)
        {
            if (identities.Count <= identityId || identities[identityId] is not { } identity)
            {
                continue;
            }

            var subjects = identity.Matchers.Where(m => matchers[m]!.SubjectOf.Count > 0).Order().ToArray();
            var list = subjects.Length == 0 ? -1 : AcquireList(subjects);
            SetIdentityList(identity, list);
        }

        dirtyIdentities.Clear();
        foreach (var listId in dirtyLists)
        {
            if (lists.Count > listId && lists[listId] is { Dirty: true } list)
            {
                if (list.NeedsRebuild)
                {
                    Rebuild(list);
                }
                else
                {
                    Edit(list);
                }
            }
        }

        dirtyLists.Clear();
        runCache.EndFlush();
    }

    private int AcquireList(int[] subjects)
    {
        if (listIds.TryGetValue(new SubjectKey(subjects), out var id))
        {
            return id;
        }

        id = freeLists.Count > 0 ? freeLists.Pop() : lists.Count;
        var list = new PolicyList { Id = id, Subjects = subjects };
        if (id == lists.Count)
        {
            lists.Add(list);
        }
        else
        {
            lists[id] = list;
        }

        listIds[new SubjectKey(subjects)] = id;
        foreach (var s in subjects)
        {
            IntSet.File(listsBySubject, s, id);
        }

        Rebuild(list);
        return id;
    }

    public void SetIdentityList(IdentityState identity, int list)
    {
        if (identity.List == list)
        {
            return;
        }

        var old = identity.List;
        identity.List = list;
        if (list >= 0)
        {
            lists[list]!.RefCount++;
        }

        foreach (var e in identity.Endpoints)
        {
            SetEndpointList(identityIndex.Endpoints[e]!, list);
        }

        if (old >= 0 && --lists[old]!.RefCount == 0)
        {
            var dead = lists[old]!;
            listIds.Remove(new SubjectKey(dead.Subjects));
            foreach (var s in dead.Subjects)
            {
                IntSet.Unfile(listsBySubject, s, old);
            }

            dirtyLists.Remove(old);
            runCache.Release(dead.Runs);
            dead.Runs = [];
            lists[old] = null;
            freeLists.Push(old);
            foreach (var l in listeners)
            {
                l.OnPolicyList(old, []);
            }
        }
    }

    public void SetEndpointList(EndpointState endpoint, int list)
    {
        var old = endpoint.List;
        if (old == list && list >= 0)
        {
            return;
        }

        if (old >= 0 && old < lists.Count && lists[old] is { } oldList)
        {
            oldList.Endpoints.Remove(endpoint.Id);
        }

        endpoint.List = list;
        var current = list >= 0 ? lists[list] : null;
        endpoint.Ingress = current?.IngressProgram ?? [];
        endpoint.Egress = current?.EgressProgram ?? [];
        current?.Endpoints.Add(endpoint.Id);
        walker.Write(endpoint);
        foreach (var l in listeners)
        {
            l.OnEndpointPolicyList(endpoint.Key, list);
        }
    }

    /// <summary>
    /// Rebuilds a list from its subjects: per tier, the subjects' policies (each subject keeps its own sorted per-tier
    /// arrays, so a tier with one contributing subject is taken as is), each tier a shared run.
    /// </summary>
    private void Rebuild(PolicyList list)
    {
        List<TierRun> result;
        if (list.Subjects.Length == 1)
        {
            // One subject (the common case): its per-tier arrays are the runs' policies as they are.
            var byTier = TierPolicies.Of(selectors.Matchers[list.Subjects[0]]!);
            result = new List<TierRun>(byTier.Length);
            foreach (var (tier, sorted) in byTier)
            {
                result.Add(runCache.Intern(tier, sorted));
            }
        }
        else
        {
            var perTier = new Dictionary<TierState, List<PolicyState[]>>(ReferenceEqualityComparer.Instance);
            foreach (var s in list.Subjects)
            {
                foreach (var (tier, sorted) in TierPolicies.Of(selectors.Matchers[s]!))
                {
                    if (!perTier.TryGetValue(tier, out var contributions))
                    {
                        perTier[tier] = contributions = [];
                    }

                    contributions.Add(sorted);
                }
            }

            result = new List<TierRun>(perTier.Count);
            foreach (var (tier, contributions) in perTier)
            {
                PolicyState[] policies;
                if (contributions.Count == 1)
                {
                    policies = contributions[0];
                }
                else
                {
                    var merged = new HashSet<PolicyState>(ReferenceEqualityComparer.Instance);
                    foreach (var c in contributions)
                    {
                        merged.UnionWith(c);
                    }

                    policies = [.. merged];
                    Array.Sort(policies, PolicyPrecedence.Compare);
                }

                result.Add(runCache.Intern(tier, policies));
            }
        }

        result.Sort((a, b) => PolicyPrecedence.CompareTiers(a.Tier, b.Tier));
        Publish(list, [.. result]);
    }

    /// <summary>Keeps a subject's per-tier sorted arrays current by one insertion or removal (no re-sort).</summary>
    private void EditByTier(MatcherState subject, PolicyState policy, bool added)
    {
        if (subject.ByTier is not { } byTier)
        {
            return;
        }

        var at = Array.FindIndex(byTier, t => ReferenceEquals(t.Tier, policy.Tier));
        var next = runCache.EditedOnce(at >= 0 ? byTier[at].Sorted : [], policy, added);
        if (next.Length > 0 && at >= 0)
        {
            byTier[at] = new TierPolicies(policy.Tier, next);
        }
        else if (next.Length > 0)
        {
            subject.ByTier = [.. byTier, new TierPolicies(policy.Tier, next)];
        }
        else if (at >= 0)
        {
            subject.ByTier = [.. byTier[..at], .. byTier[(at + 1)..]];
        }
    }

    /// <summary>Applies the policies added and removed since the last build, run by run; lists sharing a run share the edit.</summary>
    private void Edit(PolicyList list)
    {
        // One scratch list for every list edited in a flush (a removal of a policy selecting everything edits them all).
        var result = editScratch;
        result.Clear();
        result.AddRange(list.Runs);
        foreach (var (policy, added) in list.Edits)
        {
            // Runs are in tier order: the policy's tier run is where the walk stops, or belongs there.
            var at = 0;
            while (at < result.Count && !ReferenceEquals(result[at].Tier, policy.Tier) && PolicyPrecedence.CompareTiers(result[at].Tier, policy.Tier) < 0)
            {
                at++;
            }

            if (at == result.Count || !ReferenceEquals(result[at].Tier, policy.Tier))
            {
                if (added)
                {
                    result.Insert(at, runCache.Intern(policy.Tier, [policy]));
                }

                continue;
            }

            var edited = runCache.Edit(result[at], policy, added);
            if (edited is null)
            {
                result.RemoveAt(at);
            }
            else
            {
                result[at] = edited;
            }
        }

        Publish(list, [.. result]);
    }

    private void Publish(PolicyList list, TierRun[] newRuns)
    {
        foreach (var r in newRuns)
        {
            r.RefCount++;
        }

        runCache.Release(list.Runs);
        list.Runs = newRuns;
        var ingress = Renew(list.IngressProgram, newRuns, Direction.Ingress);
        var egress = Renew(list.EgressProgram, newRuns, Direction.Egress);
        if (ingress is not null || egress is not null)
        {
            list.IngressProgram = ingress ?? list.IngressProgram;
            list.EgressProgram = egress ?? list.EgressProgram;
            foreach (var e in list.Endpoints)
            {
                var endpoint = identityIndex.Endpoints[e]!;
                endpoint.Ingress = list.IngressProgram;
                endpoint.Egress = list.EgressProgram;
                walker.Write(endpoint);
            }
        }

        list.Edits.Clear();
        list.NeedsRebuild = false;
        list.Dirty = false;
        foreach (var l in listeners)
        {
            l.OnPolicyList(list.Id, list.Policies);
        }
    }

    /// <summary>
    /// A list's programs for one direction after its runs changed. When there are as many as before, they are written
    /// into the array the list's endpoints already hold and null is returned: an edit of a long run touches no
    /// endpoint. Otherwise a new array, which the endpoints must be given.
    /// </summary>
    private static ProgramRef[]? Renew(ProgramRef[] current, TierRun[] runs, Direction direction)
    {
        var count = 0;
        foreach (var r in runs)
        {
            count += (direction == Direction.Ingress ? r.Ingress : r.Egress) is null ? 0 : 1;
        }

        var target = count == current.Length ? current : new ProgramRef[count];
        var i = 0;
        foreach (var r in runs)
        {
            if ((direction == Direction.Ingress ? r.Ingress : r.Egress) is { } program)
            {
                target[i++] = new ProgramRef(program);
            }
        }

        return ReferenceEquals(target, current) ? null : target;
    }

    /// <summary>This stage's tables, for <see cref="CalculationEngine.Census"/>.</summary>
    public IEnumerable<(string Table, int Count)> Census() =>
    [
        ("tiers", tiers.Count),
        ("policies", policies.Count),
        ("policies by id", policyById.Count(p => p is not null)),
        ("list ids", listIds.Count),
        ("lists", lists.Count(l => l is not null)),
        ("lists by subject", listsBySubject.Count),
        ("lists by subject (members)", listsBySubject.Values.Sum(s => s.Count)),
        ("dirty identities", dirtyIdentities.Count),
        ("dirty lists", dirtyLists.Count),
    ];
}
