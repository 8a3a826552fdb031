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
    private readonly Stack<int> freeLists = new();
    private readonly HashSet<int> dirtyIdentities = [];
    private readonly HashSet<int> dirtyLists = [];
    private readonly Dictionary<int, HashSet<int>> listsBySubject = [];
    private int nextTierId;

    /// <summary>Number of enforced policies known.</summary>
    public int PolicyCount => policies.Count;

    /// <summary>Number of distinct policy lists (shared by identities selected alike).</summary>
    public int PolicyListCount => listIds.Count;

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
                foreach (var run in runs.Values.Where(r => r.Key.Tier == state.Id).ToList())
                {
                    ForgetRun(run);
                }

                runEdits.Clear();
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
        state.Ingress = policy.GovernsIngress ? Compile(state, policy.IngressRules, Direction.Ingress) : [];
        state.Egress = policy.GovernsEgress ? Compile(state, policy.EgressRules, Direction.Egress) : [];
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
        runEdits.Clear();

        // Runs interned during this flush that no list took (intermediate edits) leave the cache now.
        foreach (var run in createdRuns)
        {
            if (run.RefCount == 0)
            {
                ForgetRun(run);
            }
        }

        createdRuns.Clear();
        RefreshMatcherArrays();
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
            ReleaseRuns(dead.Runs);
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
            l.OnEndpointPolicyList(endpoint.Workload.Id, list);
        }
    }

    /// <summary>Policy precedence: tier order, tier name, policy order, namespace, name.</summary>
    private static readonly Comparison<PolicyState> Precedence = static (a, b) =>
    {
        var c = a.Tier.Tier.Order.CompareTo(b.Tier.Tier.Order);
        if (c == 0)
        {
            c = string.CompareOrdinal(a.Tier.Tier.Name, b.Tier.Tier.Name);
        }

        if (c == 0)
        {
            c = a.Policy.Order.CompareTo(b.Policy.Order);
        }

        // Equal orders go by policy name (Calico's documented tie-break), then namespace.
        if (c == 0)
        {
            c = string.CompareOrdinal(a.Policy.Name, b.Policy.Name);
        }

        if (c == 0)
        {
            c = string.CompareOrdinal(a.Policy.Namespace ?? string.Empty, b.Policy.Namespace ?? string.Empty);
        }

        // Same name in two dialects (a Kubernetes and a Calico NetworkPolicy): order by kind, then API version.
        return c != 0 ? c : string.CompareOrdinal(a.Key, b.Key);
    };

    private static readonly Comparer<PolicyState> PrecedenceComparer = Comparer<PolicyState>.Create(Precedence);

    private readonly Dictionary<TierRunKey, TierRun> runs = [];
    private readonly List<TierRun> createdRuns = [];
    private long nextPolicyStamp = 1;
    private readonly Dictionary<(TierRun Run, PolicyState Policy, bool Added), TierRun?> runEdits = [];

    /// <summary>Number of distinct tier runs (shared by lists with the same policies in a tier).</summary>
    public int TierRunCount => runs.Count;

    /// <summary>
    /// Rebuilds a list from its subjects: per tier, the subjects' policies (each subject keeps its own sorted per-tier
    /// arrays, so a tier with one contributing subject is taken as is), each tier a shared run.
    /// </summary>
    private void Rebuild(PolicyList list)
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

        var result = new List<TierRun>(perTier.Count);
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
                Array.Sort(policies, Precedence);
            }

            result.Add(InternRun(tier, policies));
        }

        result.Sort((a, b) => CompareTiers(a.Tier, b.Tier));
        Publish(list, [.. result]);
    }

    private static Dictionary<TierState, PolicyState[]> ByTier(MatcherState subject)
    {
        if (subject.ByTier is { } cached)
        {
            return cached;
        }

        var byTier = new Dictionary<TierState, PolicyState[]>(ReferenceEqualityComparer.Instance);
        foreach (var group in subject.SubjectOf.GroupBy(p => p.Tier))
        {
            var sorted = group.ToArray();
            Array.Sort(sorted, Precedence);
            byTier[group.Key] = sorted;
        }

        return subject.ByTier = byTier;
    }

    /// <summary>Keeps a subject's per-tier sorted arrays current by one insertion or removal (no re-sort).</summary>
    private static void EditByTier(MatcherState subject, PolicyState policy, bool added)
    {
        if (subject.ByTier is not { } byTier)
        {
            return;
        }

        byTier.TryGetValue(policy.Tier, out var sorted);
        sorted ??= [];
        var at = Array.BinarySearch(sorted, policy, PrecedenceComparer);
        if (added)
        {
            var insert = at >= 0 ? at : ~at;
            var next = new PolicyState[sorted.Length + 1];
            Array.Copy(sorted, next, insert);
            next[insert] = policy;
            Array.Copy(sorted, insert, next, insert + 1, sorted.Length - insert);
            byTier[policy.Tier] = next;
            return;
        }

        var remove = at >= 0 && ReferenceEquals(sorted[at], policy) ? at : Array.IndexOf(sorted, policy);
        if (remove < 0)
        {
            return;
        }

        if (sorted.Length == 1)
        {
            byTier.Remove(policy.Tier);
            return;
        }

        var shorter = new PolicyState[sorted.Length - 1];
        Array.Copy(sorted, shorter, remove);
        Array.Copy(sorted, remove + 1, shorter, remove, sorted.Length - remove - 1);
        byTier[policy.Tier] = shorter;
    }

    /// <summary>Applies the policies added and removed since the last build, run by run; lists sharing a run share the edit.</summary>
    private void Edit(PolicyList list)
    {
        var result = new List<TierRun>(list.Runs);
        foreach (var (policy, added) in list.Edits)
        {
            var at = result.FindIndex(r => ReferenceEquals(r.Tier, policy.Tier));
            if (at < 0)
            {
                if (added)
                {
                    var run = InternRun(policy.Tier, [policy]);
                    var position = result.FindIndex(r => CompareTiers(r.Tier, policy.Tier) > 0);
                    result.Insert(position < 0 ? result.Count : position, run);
                }

                continue;
            }

            var edited = EditRun(result[at], policy, added);
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

    private static int CompareTiers(TierState a, TierState b)
    {
        var c = a.Tier.Order.CompareTo(b.Tier.Order);
        return c != 0 ? c : string.CompareOrdinal(a.Tier.Name, b.Tier.Name);
    }

    /// <summary>A run with one policy more or less (null when none is left), computed once per flush for all lists sharing it.</summary>
    private TierRun? EditRun(TierRun run, PolicyState policy, bool added)
    {
        if (runEdits.TryGetValue((run, policy, added), out var cached))
        {
            return cached;
        }

        var policies = run.Policies;
        var at = Array.BinarySearch(policies, policy, PrecedenceComparer);
        PolicyState[] next;
        if (added)
        {
            if (at >= 0 && ReferenceEquals(policies[at], policy))
            {
                next = policies;
            }
            else
            {
                var insert = at >= 0 ? at : ~at;
                next = new PolicyState[policies.Length + 1];
                Array.Copy(policies, next, insert);
                next[insert] = policy;
                Array.Copy(policies, insert, next, insert + 1, policies.Length - insert);
            }
        }
        else
        {
            var remove = at >= 0 && ReferenceEquals(policies[at], policy) ? at : Array.IndexOf(policies, policy);
            if (remove < 0)
            {
                next = policies;
            }
            else
            {
                next = new PolicyState[policies.Length - 1];
                Array.Copy(policies, next, remove);
                Array.Copy(policies, remove + 1, next, remove, policies.Length - remove - 1);
            }
        }

        var result = next.Length == 0 ? null : ReferenceEquals(next, policies) ? run : InternRun(run.Tier, next);
        runEdits[(run, policy, added)] = result;
        return result;
    }

    /// <summary>The shared run for these policies of a tier (built once, with its programs).</summary>
    private TierRun InternRun(TierState tier, PolicyState[] policies)
    {
        var stamps = new long[policies.Length];
        for (var i = 0; i < stamps.Length; i++)
        {
            stamps[i] = policies[i].Stamp;
        }

        var key = new TierRunKey(tier.Id, stamps);
        if (runs.TryGetValue(key, out var run))
        {
            return run;
        }

        run = new TierRun
        {
            Tier = tier,
            Policies = policies,
            Key = key,
            Ingress = BuildDirection(policies, tier, Direction.Ingress),
            Egress = BuildDirection(policies, tier, Direction.Egress),
        };
        runs[key] = run;
        createdRuns.Add(run);
        return run;
    }

    private TierProgram? BuildDirection(PolicyState[] policies, TierState tier, Direction direction)
    {
        var governing = policies.Where(p => p.Policy.Governs(direction)).ToArray();
        return governing.Length == 0
            ? null
            : BuildTierProgram(governing, new TierSegment(0, governing.Length, tier.Tier.EndAction, tier.Id), direction, options.IndexThreshold);
    }

    private void Publish(PolicyList list, TierRun[] newRuns)
    {
        foreach (var r in newRuns)
        {
            r.RefCount++;
        }

        ReleaseRuns(list.Runs);
        list.Runs = newRuns;
        list.IngressProgram = [.. newRuns.Where(r => r.Ingress is not null).Select(r => r.Ingress!)];
        list.EgressProgram = [.. newRuns.Where(r => r.Egress is not null).Select(r => r.Egress!)];
        foreach (var e in list.Endpoints)
        {
            var endpoint = endpoints[e]!;
            endpoint.Ingress = list.IngressProgram;
            endpoint.Egress = list.EgressProgram;
            Sync(endpoint);
        }

        list.Edits.Clear();
        list.NeedsRebuild = false;
        list.Dirty = false;
        foreach (var l in listeners)
        {
            l.OnPolicyList(list.Id, list.Policies);
        }
    }

    private void ReleaseRuns(TierRun[] old)
    {
        foreach (var r in old)
        {
            if (--r.RefCount == 0)
            {
                ForgetRun(r);
            }
        }
    }

    private void ForgetRun(TierRun run)
    {
        if (runs.TryGetValue(run.Key, out var current) && ReferenceEquals(current, run))
        {
            runs.Remove(run.Key);
        }
    }

    private static TierProgram BuildTierProgram(ReadOnlySpan<PolicyState> policies, TierSegment tier, Direction direction, int indexThreshold)
    {
        var rules = new List<(CompiledRule Rule, int Policy, int Index)>();
        foreach (var policy in policies)
        {
            var compiled = policy.Rules(direction);
            for (var r = 0; r < compiled.Length; r++)
            {
                rules.Add((compiled[r], policy.Id, r));
            }
        }

        var names = new List<string>();
        var portCount = 0;
        var matcherCount = 0;
        foreach (var (rule, _, _) in rules)
        {
            if (IsSimple(rule))
            {
                portCount += rule.Ports.Length;
                matcherCount += rule.RemoteMatchers.Length;
            }
        }

        var portBase = TierProgram.HeaderSize + (TierProgram.RuleSize * rules.Count);
        var matcherBase = portBase + (TierProgram.PortSize * portCount);
        var code = new int[matcherBase + matcherCount];
        (code[0], code[1], code[2]) = (rules.Count, (int)tier.EndAction, tier.Tier);
        var portAt = portBase;
        var matcherAt = matcherBase;
        var complex = new CompiledRule[rules.Count];
        var indexed = rules.Count > indexThreshold;
        var index = indexed ? new Dictionary<int, List<int>>() : null;
        var always = new List<int>();
        for (var i = 0; i < rules.Count; i++)
        {
            var (rule, policy, ruleIndex) = rules[i];
            var simple = IsSimple(rule);
            complex[i] = rule;
            var at = TierProgram.HeaderSize + (TierProgram.RuleSize * i);
            code[at] = (simple ? TierProgram.FlagSimple : 0) | (rule.RemoteCalico ? TierProgram.FlagCalico : 0) | ((int)rule.Action << 4);
            code[at + 1] = rule.Protocol;
            code[at + 2] = rule.NotProtocol;
            code[at + 3] = portAt;
            code[at + 4] = simple ? rule.Ports.Length : 0;
            code[at + 5] = matcherAt;
            code[at + 6] = simple ? rule.RemoteMatchers.Length : 0;
            code[at + 7] = policy;
            code[at + 8] = ruleIndex;
            if (indexed)
            {
                // A simple rule naming selectors can only match members of them (and, for Calico selectors, addresses
                // in network sets: then the index is bypassed while network sets exist); the rest are always checked.
                if (simple && rule.RemoteMatchers.Length > 0)
                {
                    foreach (var m in rule.RemoteMatchers)
                    {
                        if (!index!.TryGetValue(m, out var positions))
                        {
                            index[m] = positions = [];
                        }

                        positions.Add(i);
                    }
                }
                else
                {
                    always.Add(i);
                }
            }

            if (!simple)
            {
                continue;
            }

            ulong lo = 0, hi = 0;
            foreach (var m in rule.RemoteMatchers)
            {
                var bit = TierProgram.SignatureBit(m);
                if (bit < 64)
                {
                    lo |= 1UL << bit;
                }
                else
                {
                    hi |= 1UL << (bit - 64);
                }
            }

            (code[at + 9], code[at + 10], code[at + 11], code[at + 12]) = ((int)lo, (int)(lo >> 32), (int)hi, (int)(hi >> 32));
            foreach (var p in rule.Ports)
            {
                var nameIndex = -1;
                if (p.Name is { } name)
                {
                    nameIndex = names.IndexOf(name);
                    if (nameIndex < 0)
                    {
                        nameIndex = names.Count;
                        names.Add(name);
                    }
                }

                (code[portAt], code[portAt + 1], code[portAt + 2], code[portAt + 3]) = (p.First, p.Last, p.Protocol, nameIndex);
                portAt += TierProgram.PortSize;
            }

            foreach (var m in rule.RemoteMatchers)
            {
                code[matcherAt++] = m;
            }
        }

        return new TierProgram
        {
            Code = code,
            Complex = complex,
            Names = [.. names],
            Index = index?.ToDictionary(p => p.Key, p => p.Value.ToArray()),
            Always = [.. always],
            IndexHasCalico = indexed && rules.Any(r => IsSimple(r.Rule) && r.Rule.RemoteMatchers.Length > 0 && r.Rule.RemoteCalico),
        };
    }

    private static bool IsSimple(CompiledRule rule) => rule.Simple && !rule.RequiresIcmpType && rule.IpVersion == 0;

    private CompiledRule[] Compile(PolicyState state, EquatableArray<Rule> rules, Direction direction)
    {
        var result = new CompiledRule[rules.Count];
        for (var i = 0; i < rules.Count; i++)
        {
            var rule = rules[i];
            var compiled = new CompiledRule
            {
                Source = rule,
                Action = rule.Action,
                Protocol = rule.Protocol?.Number ?? -1,
                NotProtocol = rule.NotProtocol?.Number ?? -1,
                RequiresIcmpType = rule.Icmp is not null,
                IpVersion = rule.IpVersion ?? 0,
                From = Compile(state, rule.Source),
                To = Compile(state, rule.Destination),
            };
            Simplify(compiled, ingress: direction == Direction.Ingress);
            result[i] = compiled;
        }

        return result;
    }

    /// <summary>Marks a rule simple when its remote end is only selectors and its local end only destination ports.</summary>
    private static void Simplify(CompiledRule rule, bool ingress)
    {
        var remote = ingress ? rule.From : rule.To;
        var local = ingress ? rule.To : rule.From;
        var localPlain = local.IsAny || (local.Peers.Length == 0 && local.NotMatcher < 0 && local.NotNets.Length == 0 && local.NotPorts.Length == 0 && (ingress || local.Ports.Length == 0));
        var remotePlain = remote.IsAny || (remote.NotMatcher < 0 && remote.NotNets.Length == 0 && remote.NotPorts.Length == 0 && (ingress ? remote.Ports.Length == 0 : true) &&
            remote.Peers.All(p => p.Matcher >= 0 && p.Nets.Length == 0 && p.NodeSelector is null));
        if (!localPlain || !remotePlain)
        {
            return;
        }

        var ports = ingress ? local.Ports : remote.Ports;
        rule.Simple = true;
        rule.RemoteMatchers = [.. remote.Peers.Select(p => p.Matcher).Distinct().Order()];
        rule.RemoteCalico = remote.Peers.Any(p => p.Calico);
        rule.Ports = [.. ports.Select(p => new FastPort(p.First, p.Last, p.Protocol?.Number ?? -1, p.Name))];
    }

    private CompiledEntity Compile(PolicyState state, EntityMatch match)
    {
        if (match.IsAny)
        {
            return CompiledEntity.Any;
        }

        var entity = new CompiledEntity
        {
            Peers = [.. match.Peers.Select(p => Compile(state, p))],
            NotNets = [.. match.NotNets],
            Ports = [.. match.Ports],
            NotPorts = [.. match.NotPorts],
        };
        if (match.NotSelector is { } notSelector)
        {
            entity.NotMatcher = AcquireMatcher(new Peer { CalicoScope = true, Selector = notSelector });
            state.Matchers.Add(entity.NotMatcher);
        }

        return entity;
    }

    private CompiledPeer Compile(PolicyState state, Peer peer)
    {
        var compiled = new CompiledPeer { Nets = [.. peer.Nets], NodeSelector = peer.NodeSelector, Calico = peer.CalicoScope };
        if (peer.RequiresWorkload)
        {
            compiled.Matcher = AcquireMatcher(peer);
            state.Matchers.Add(compiled.Matcher);
        }

        return compiled;
    }
}
