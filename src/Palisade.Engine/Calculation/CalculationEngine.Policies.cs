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
                foreach (var program in tierPrograms.Values.Where(p => p.Key.Tier == state.Id).ToList())
                {
                    Forget(program);
                }

                foreach (var l in lists)
                {
                    if (l is not null && l.All.Any(p => ReferenceEquals(p.Tier, state)))
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
        RemovePolicy(key);
        if (policy.Staged)
        {
            return;
        }

        if (!tiers.TryGetValue(tierName, out var tier))
        {
            UpsertTier(new Tier(tierName, tierName == PolicyModel.DefaultTierName ? PolicyModel.DefaultTierOrder : double.PositiveInfinity, TierKind.Standard, RuleAction.Deny));
            tier = tiers[tierName];
        }

        var id = freePolicies.Count > 0 ? freePolicies.Pop() : policyById.Count;
        var state = new PolicyState { Id = id, Key = key, Policy = policy, Tier = tier };
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

        ForgetPrograms(state);
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
            ReleaseProgram(dead.IngressProgram);
            ReleaseProgram(dead.EgressProgram);
            dead.IngressProgram = [];
            dead.EgressProgram = [];
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

        if (c == 0)
        {
            c = string.CompareOrdinal(a.Policy.Namespace ?? string.Empty, b.Policy.Namespace ?? string.Empty);
        }

        if (c == 0)
        {
            c = string.CompareOrdinal(a.Policy.Name, b.Policy.Name);
        }

        // Same name in two dialects (a Kubernetes and a Calico NetworkPolicy): order by kind, then API version.
        return c != 0 ? c : string.CompareOrdinal(a.Key, b.Key);
    };

    private static readonly Comparer<PolicyState> PrecedenceComparer = Comparer<PolicyState>.Create(Precedence);

    /// <summary>Orders the policies of a list's subjects by precedence.</summary>
    private void Rebuild(PolicyList list)
    {
        var all = new List<PolicyState>();
        var seen = new HashSet<PolicyState>(ReferenceEqualityComparer.Instance);
        foreach (var s in list.Subjects)
        {
            foreach (var p in matchers[s]!.SubjectOf)
            {
                if (seen.Add(p))
                {
                    all.Add(p);
                }
            }
        }

        all.Sort(Precedence);
        Publish(list, [.. all]);
    }

    /// <summary>Applies the policies added and removed since the last build, keeping precedence order without re-sorting.</summary>
    private void Edit(PolicyList list)
    {
        var all = new List<PolicyState>(list.All);
        foreach (var (policy, added) in list.Edits)
        {
            var at = all.BinarySearch(policy, PrecedenceComparer);
            if (added)
            {
                if (at < 0)
                {
                    all.Insert(~at, policy);
                }
            }
            else if (at >= 0 && ReferenceEquals(all[at], policy))
            {
                all.RemoveAt(at);
            }
            else
            {
                all.Remove(policy);
            }
        }

        Publish(list, [.. all]);
    }

    private void Publish(PolicyList list, PolicyState[] all)
    {
        var ingress = 0;
        var egress = 0;
        foreach (var p in all)
        {
            ingress += p.Policy.GovernsIngress ? 1 : 0;
            egress += p.Policy.GovernsEgress ? 1 : 0;
        }

        var ingressPolicies = new PolicyState[ingress];
        var egressPolicies = new PolicyState[egress];
        ingress = egress = 0;
        var published = new Policy[all.Length];
        for (var i = 0; i < all.Length; i++)
        {
            var p = all[i];
            published[i] = p.Policy;
            if (p.Policy.GovernsIngress)
            {
                ingressPolicies[ingress++] = p;
            }

            if (p.Policy.GovernsEgress)
            {
                egressPolicies[egress++] = p;
            }
        }

        (list.Ingress, list.IngressTiers) = Segment(ingressPolicies);
        (list.Egress, list.EgressTiers) = Segment(egressPolicies);
        var (oldIngress, oldEgress) = (list.IngressProgram, list.EgressProgram);
        list.IngressProgram = AcquireProgram(list.Ingress, list.IngressTiers, Direction.Ingress);
        list.EgressProgram = AcquireProgram(list.Egress, list.EgressTiers, Direction.Egress);
        ReleaseProgram(oldIngress);
        ReleaseProgram(oldEgress);
        foreach (var e in list.Endpoints)
        {
            var endpoint = endpoints[e]!;
            endpoint.Ingress = list.IngressProgram;
            endpoint.Egress = list.EgressProgram;
            Sync(endpoint);
        }
        list.All = all;
        list.Published = published;
        list.Edits.Clear();
        list.NeedsRebuild = false;
        list.Dirty = false;
        foreach (var l in listeners)
        {
            l.OnPolicyList(list.Id, list.Published);
        }
    }

    private readonly Dictionary<TierProgramKey, TierProgram> tierPrograms = [];
    private readonly Dictionary<int, HashSet<TierProgram>> programsByPolicy = [];

    /// <summary>Number of distinct tier programs (shared by lists with the same policies in a tier).</summary>
    public int TierProgramCount => tierPrograms.Count;

    /// <summary>The tier programs of a list for one direction, taken from the shared cache (or built once).</summary>
    private TierProgram[] AcquireProgram(PolicyState[] policies, TierSegment[] tiers, Direction direction)
    {
        var result = new TierProgram[tiers.Length];
        for (var t = 0; t < tiers.Length; t++)
        {
            var ids = new int[tiers[t].End - tiers[t].Start];
            for (var i = 0; i < ids.Length; i++)
            {
                ids[i] = policies[tiers[t].Start + i].Id;
            }

            var key = new TierProgramKey(direction, tiers[t].Tier, ids);
            if (!tierPrograms.TryGetValue(key, out var program))
            {
                program = BuildTierProgram(key, policies.AsSpan(tiers[t].Start, ids.Length), tiers[t], direction, options.IndexThreshold);
                tierPrograms[key] = program;
                foreach (var id in ids)
                {
                    if (!programsByPolicy.TryGetValue(id, out var set))
                    {
                        programsByPolicy[id] = set = new HashSet<TierProgram>(ReferenceEqualityComparer.Instance);
                    }

                    set.Add(program);
                }
            }

            program.RefCount++;
            result[t] = program;
        }

        return result;
    }

    private void ReleaseProgram(TierProgram[] programs)
    {
        foreach (var p in programs)
        {
            if (--p.RefCount == 0)
            {
                Forget(p);
            }
        }
    }

    private void Forget(TierProgram program)
    {
        if (tierPrograms.TryGetValue(program.Key, out var current) && ReferenceEquals(current, program))
        {
            tierPrograms.Remove(program.Key);
        }

        foreach (var id in program.Key.Policies)
        {
            if (programsByPolicy.TryGetValue(id, out var set) && set.Remove(program) && set.Count == 0)
            {
                programsByPolicy.Remove(id);
            }
        }
    }

    /// <summary>Takes the programs holding a policy out of the cache (it changed or left); lists using them are rebuilt.</summary>
    private void ForgetPrograms(PolicyState policy)
    {
        if (programsByPolicy.TryGetValue(policy.Id, out var set))
        {
            foreach (var program in set.ToArray())
            {
                Forget(program);
            }
        }
    }

    private static TierProgram BuildTierProgram(TierProgramKey key, ReadOnlySpan<PolicyState> policies, TierSegment tier, Direction direction, int indexThreshold)
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
            Key = key,
            Index = index?.ToDictionary(p => p.Key, p => p.Value.ToArray()),
            Always = [.. always],
            IndexHasCalico = indexed && rules.Any(r => IsSimple(r.Rule) && r.Rule.RemoteMatchers.Length > 0 && r.Rule.RemoteCalico),
        };
    }

    private static bool IsSimple(CompiledRule rule) => rule.Simple && !rule.RequiresIcmpType && rule.IpVersion == 0;

    private static (PolicyState[], TierSegment[]) Segment(PolicyState[] ordered)
    {
        var segments = new List<TierSegment>();
        var start = 0;
        for (var i = 1; i <= ordered.Length; i++)
        {
            if (i == ordered.Length || !ReferenceEquals(ordered[i].Tier, ordered[start].Tier))
            {
                segments.Add(new TierSegment(start, i, ordered[start].Tier.Tier.EndAction, ordered[start].Tier.Id));
                start = i;
            }
        }

        return (ordered, [.. segments]);
    }

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
