using System.Runtime.InteropServices;
using Palisade.Model;
using Palisade.Model.Policies;

namespace Palisade.Engine.Calculation;

/// <summary>
/// The policy stage: tiers and policies compiled against the selector index, and the resolver that gives every identity
/// its ordered policy list. Lists are keyed by the set of subject selectors an identity matches, so identities (and
/// endpoints) that are selected alike share one list, and a policy change touches lists, not endpoints.
/// </summary>
public sealed partial class CalculationEngine
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

    /// <summary>Number of enforced policies known.</summary>
    public int PolicyCount => policies.Count;

    /// <summary>Number of distinct policy lists (shared by identities selected alike).</summary>
    public int PolicyListCount => listIds.Count;

    /// <summary>A list's subjects (sorted selector ids) compared by content.</summary>
    internal readonly struct SubjectKey(int[] subjects) : IEquatable<SubjectKey>
    {
        public int[] Subjects { get; } = subjects;

        public bool Equals(SubjectKey other) => Subjects.AsSpan().SequenceEqual(other.Subjects);

        public override bool Equals(object? obj) => obj is SubjectKey k && Equals(k);

        public override int GetHashCode()
        {
            var h = new HashCode();
            foreach (var s in Subjects)
            {
                h.Add(s);
            }

            return h.ToHashCode();
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
                foreach (var m in matchers)
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
        var key = PolicyKey(policy);

        // The old version's selectors are pinned while it is replaced, so that selectors both versions use keep their
        // ids and memberships: renderers see no selector leave and come back (a set deleted and created again).
        var pinned = policies.TryGetValue(key, out var previous) ? previous.Matchers.ToArray() : [];
        foreach (var m in pinned)
        {
            matchers[m]!.RefCount++;
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
                ReleaseMatcher(m);
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
        state.Subject = AcquireMatcher(policy.AppliesTo);
        state.Matchers.Add(state.Subject);
        var subject = matchers[state.Subject]!;
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

        var subject = matchers[state.Subject]!;
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
            AddPeerRef(m, -1);
        }

        foreach (var m in state.Matchers)
        {
            ReleaseMatcher(m);
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

    private void SubjectsChanged(IdentityState identity) => dirtyIdentities.Add(identity.Id);

    /// <summary>Ends a batch: recomputes the lists of identities whose subjects changed and the lists whose policies changed, and publishes.</summary>
    public void Flush()
    {
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
        RefreshPeerArrays();
        KeepPacked();
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
            Index(listsBySubject, s, id);
        }

        Rebuild(list);
        return id;
    }

    private void SetIdentityList(IdentityState identity, int list)
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
            SetEndpointList(endpoints[e]!, list);
        }

        if (old >= 0 && --lists[old]!.RefCount == 0)
        {
            var dead = lists[old]!;
            listIds.Remove(new SubjectKey(dead.Subjects));
            foreach (var s in dead.Subjects)
            {
                Unindex(listsBySubject, s, old);
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

    private void SetEndpointList(EndpointState endpoint, int list)
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
        Sync(endpoint);
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
            var byTier = ByTier(matchers[list.Subjects[0]]!);
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
                foreach (var (tier, sorted) in ByTier(matchers[s]!))
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

    /// <summary>A subject's policies of one tier, in precedence order.</summary>
    internal readonly record struct TierPolicies(TierState Tier, PolicyState[] Sorted);

    /// <summary>
    /// A subject's policies per tier, each sorted by precedence: computed once and kept current by edits. A small array
    /// rather than a dictionary: a subject's policies are nearly always in one tier, and there are tens of thousands
    /// of subjects.
    /// </summary>
    private static TierPolicies[] ByTier(MatcherState subject)
    {
        if (subject.ByTier is { } cached)
        {
            return cached;
        }

        var policies = subject.SubjectOf;
        var oneTier = true;
        foreach (var p in policies)
        {
            oneTier &= ReferenceEquals(p.Tier, policies[0].Tier);
        }

        TierPolicies[] byTier;
        if (policies.Count == 0)
        {
            byTier = [];
        }
        else if (oneTier)
        {
            // The common case, a subject's policies all in one tier: one array, no grouping.
            var sorted = policies.ToArray();
            Array.Sort(sorted, PolicyPrecedence.Compare);
            byTier = [new TierPolicies(policies[0].Tier, sorted)];
        }
        else
        {
            byTier = [.. policies.GroupBy(p => p.Tier).Select(group =>
            {
                var sorted = group.ToArray();
                Array.Sort(sorted, PolicyPrecedence.Compare);
                return new TierPolicies(group.Key, sorted);
            })];
        }

        return subject.ByTier = byTier;
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
                var endpoint = endpoints[e]!;
                endpoint.Ingress = list.IngressProgram;
                endpoint.Egress = list.EgressProgram;
                Sync(endpoint);
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
}
