using System.Collections.Immutable;
using Palisade.Engine.Calculation;
using Palisade.Engine.Evaluation;
using Palisade.Engine.Explain;
using Palisade.Model;
using Palisade.Model.Cluster;
using Palisade.Model.Policies;
using Palisade.Model.Selectors;

namespace Palisade.Engine.Analysis;

/// <summary>
/// Finds what a reviewer should look at in a policy set: workloads no policy protects, namespaces without a default
/// deny, rules that can never decide because an earlier rule (same or higher layer) always does, ambiguous equal
/// priorities, allow-from-anywhere rules and selectors that select nothing. Shadowing is judged on the inventory:
/// every pair of known workloads on the ports they declare and the ports the rules name.
/// </summary>
public static class LintAnalyzer
{
    public static ImmutableArray<LintFinding> Run(ClusterSnapshot cluster, PolicyModel model)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(model);
        var engine = CalculationEngine.Build(cluster, model);
        var findings = new List<LintFinding>();
        UnprotectedWorkloads(cluster, engine, findings);
        NamespacesWithoutDefaultDeny(cluster, model, findings);
        ShadowedRules(cluster, model, engine, findings);
        EqualPriorities(model, findings);
        AllowFromAnywhere(model, findings);

        // What staged policies select too: an engine with every policy enforced (for selections, never for verdicts).
        var selections = model.Policies.Any(p => p.Staged) ? CalculationEngine.Build(cluster, StagedPolicies.AllEnforced(model)) : engine;
        SelectorsSelectingNothing(cluster, model, selections, findings);
        return [.. findings.OrderByDescending(f => f.Severity).ThenBy(f => f.Code, StringComparer.Ordinal).ThenBy(f => f.Subject, StringComparer.Ordinal).ThenBy(f => f.Path, StringComparer.Ordinal)];
    }

    private static IEnumerable<Policy> Enforced(PolicyModel model) => model.Policies.Where(p => !p.Staged);

    /// <summary>
    /// A workload is isolated in a direction when some policy that applies to it sits in a tier that ends in deny (or
    /// denies everything by a catch-all rule). A tier that passes on what it does not decide (the Admin tier) or a
    /// baseline that only adds denials does not isolate: what no rule denies is still allowed.
    /// </summary>
    private static void UnprotectedWorkloads(ClusterSnapshot cluster, CalculationEngine engine, List<LintFinding> findings)
    {
        foreach (var w in cluster.Workloads.Where(w => !w.HostNetwork))
        {
            var applying = EndpointPolicies.Of(engine, engine.EndpointHandle(w.Id)).ToList();
            bool Isolated(Direction direction) => applying.Any(p =>
                p.Policy.Governs(direction) &&
                (p.Tier.Tier.EndAction == RuleAction.Deny || p.Policy.Rules(direction).Any(r => r.Action == RuleAction.Deny && r.Source.IsAny && r.Destination.IsAny && r.Protocol is null)));

            var ingress = Isolated(Direction.Ingress);
            var egress = Isolated(Direction.Egress);
            if (ingress && egress)
            {
                continue;
            }

            var what = !ingress && !egress ? "ingress or egress" : !ingress ? "ingress" : "egress";
            var detail = applying.Count > 0
                ? "the policies that apply to it only pass or deny some traffic, so what no rule denies is allowed there"
                : "no policy applies to it: everything is allowed there";
            findings.Add(new LintFinding(LintSeverity.Warning, "unprotected-workload", w.Id, $"{w.Id} is not isolated for {what}: {detail}") { Source = w.Source });
        }
    }

    private static void NamespacesWithoutDefaultDeny(ClusterSnapshot cluster, PolicyModel model, List<LintFinding> findings)
    {
        foreach (var ns in cluster.Workloads.Where(w => !w.HostNetwork).Select(w => w.Namespace).Distinct(StringComparer.Ordinal))
        {
            var missing = new List<string>();
            foreach (var direction in new[] { Direction.Ingress, Direction.Egress })
            {
                if (!model.Tiers.Any(t => t.Policies.Any(p => !p.Staged && IsDefaultDeny(cluster, t, p, ns, direction))))
                {
                    missing.Add(direction == Direction.Ingress ? "ingress" : "egress");
                }
            }

            if (missing.Count > 0)
            {
                findings.Add(new LintFinding(LintSeverity.Warning, "namespace-without-default-deny", ns,
                    $"namespace {ns} has no default deny for {string.Join(" or ", missing)}: a policy selecting every pod there (podSelector {{}}) with no rule allowing everything") { Source = cluster.FindNamespace(ns)?.Source });
            }
        }
    }

    /// <summary>A policy that selects every pod of the namespace and, at the end of its tier or by a catch-all rule, denies.</summary>
    private static bool IsDefaultDeny(ClusterSnapshot cluster, Tier tier, Policy policy, string ns, Direction direction)
    {
        var subject = policy.AppliesTo;
        var coversNamespace = (subject.Selector is null or AllSelector) && subject.ServiceAccountSelector is null && subject.ServiceAccountNames.IsEmpty &&
            (subject.Namespace is null || subject.Namespace == ns) &&
            (subject.NamespaceSelector is null || subject.NamespaceSelector.Matches(subject.CalicoScope ? cluster.CalicoNamespaceLabels(ns) : cluster.NamespaceLabels(ns)));
        if (!coversNamespace || !policy.Governs(direction))
        {
            return false;
        }

        var rules = policy.Rules(direction);
        var allowsEverything = rules.Any(r => r.Action == RuleAction.Allow && r.Source.IsAny && r.Destination.IsAny && r.Protocol is null);
        var deniesEverything = rules.Any(r => r.Action == RuleAction.Deny && r.Source.IsAny && r.Destination.IsAny && r.Protocol is null);
        return deniesEverything || (tier.EndAction == RuleAction.Deny && !allowsEverything && !rules.Any(r => r.Action == RuleAction.Pass && r.Source.IsAny && r.Destination.IsAny));
    }

    private sealed class RuleUsage
    {
        public int Matched { get; set; }

        public int Reached { get; set; }

        public HashSet<string> Deciders { get; } = new(StringComparer.Ordinal);

        public int ContradictingOutcomes { get; set; }
    }

    private static void ShadowedRules(ClusterSnapshot cluster, PolicyModel model, CalculationEngine engine, List<LintFinding> findings)
    {
        var usage = new Dictionary<Rule, RuleUsage>(ReferenceEqualityComparer.Instance);
        var mentioned = ConnectivityAnalyzer.RulePorts(model);
        var workloads = cluster.Workloads.Where(w => !w.HostNetwork).ToList();
        var networks = ExternalNetwork.Collect((cluster, model)).ToList();
        var tracer = new FlowTracer(engine);
        foreach (var local in workloads)
        {
            var handle = engine.EndpointHandle(local.Id);
            foreach (var direction in new[] { Direction.Ingress, Direction.Egress })
            {
                if (!EndpointPolicies.Of(engine, handle).Any(p => p.Policy.Governs(direction) && !p.Policy.Rules(direction).IsEmpty))
                {
                    continue;
                }

                void Judge(int remote, System.Net.IPAddress? address, PortSpec port)
                {
                    var flow = direction == Direction.Ingress
                        ? new FlowRef(engine.Endpoints, remote, address, handle, null, port.Protocol, port.Port)
                        : new FlowRef(engine.Endpoints, handle, null, remote, address, port.Protocol, port.Port);
                    Account(tracer.Direction(ref flow, direction), EndpointPolicies.Matching(engine, ref flow, direction), usage);
                }

                foreach (var remote in cluster.Workloads)
                {
                    // A workload with several replicas also talks to itself: pod to pod between its replicas.
                    if (ReferenceEquals(remote, local) && !local.HasPeerReplicas)
                    {
                        continue;
                    }

                    var destination = direction == Direction.Ingress ? local : remote;
                    foreach (var port in ConnectivityAnalyzer.DeclaredPorts(destination).Union(mentioned))
                    {
                        Judge(engine.EndpointHandle(remote.Id), null, port);
                    }
                }

                // Networks the rules name, each through one address inside it that no workload holds.
                foreach (var network in networks)
                {
                    foreach (var port in (direction == Direction.Ingress ? ConnectivityAnalyzer.DeclaredPorts(local) : []).Union(mentioned))
                    {
                        Judge(-1, network.Probe, port);
                    }
                }
            }
        }

        foreach (var (tier, policy) in model.Tiers.SelectMany(t => t.Policies.Where(p => !p.Staged).Select(p => (t, p))))
        {
            foreach (var rule in policy.IngressRules.Concat(policy.EgressRules))
            {
                if (rule.Action == RuleAction.Log || !usage.TryGetValue(rule, out var u) || u.Matched == 0 || u.Reached > 0)
                {
                    continue;
                }

                var contradicted = u.ContradictingOutcomes == u.Matched;
                findings.Add(new LintFinding(contradicted ? LintSeverity.Error : LintSeverity.Warning, "shadowed-rule", policy.Source.DisplayName,
                    $"{rule.Origin.Path} ({rule.Action}) never decides: every flow it matches ({u.Matched} in this inventory) is decided earlier by {string.Join(", ", u.Deciders.Take(3))}{(u.Deciders.Count > 3 ? $" and {u.Deciders.Count - 3} more" : string.Empty)}{(contradicted ? ", with the opposite outcome" : string.Empty)}")
                {
                    Source = policy.Source,
                    Path = rule.Origin.Path,
                });
            }
        }
    }

    /// <summary>Counts, for each rule of the applying policies that matches the flow, whether evaluation reached it or what decided first.</summary>
    private static void Account(DirectionVerdict verdict, List<(PolicyState Policy, bool[] Matched)> applying, Dictionary<Rule, RuleUsage> usage)
    {
        var visited = verdict.Steps.Where(s => s.Kind == StepKind.PolicyApplies).Select(s => s.Policy!).ToHashSet(ReferenceEqualityComparer.Instance);
        foreach (var (state, matched) in applying)
        {
            var (tier, policy) = (state.Tier.Tier, state.Policy);

            // The rule of this policy that passed or decided: later rules of the policy were not reached.
            var own = verdict.Steps.FirstOrDefault(s => s.Policy == policy && s.Rule is not null && s.Kind is StepKind.Decided or StepKind.Passed)?.Rule;
            var rules = policy.Rules(verdict.Direction);
            for (var i = 0; i < rules.Count; i++)
            {
                if (!matched[i])
                {
                    continue;
                }

                var rule = rules[i];
                if (!usage.TryGetValue(rule, out var u))
                {
                    usage[rule] = u = new RuleUsage();
                }

                u.Matched++;
                if (visited.Contains(policy) && (own is null || rule.Origin.Index <= own.Origin.Index))
                {
                    u.Reached++;
                    continue;
                }

                var stopper = own ??
                    verdict.Steps.LastOrDefault(s => s.Kind == StepKind.Passed && s.Tier == tier)?.Rule ??
                    verdict.Rule;
                u.Deciders.Add(stopper is null
                    ? verdict.Tier is { } t ? $"the end of tier {t.Name}" : "an earlier tier"
                    : stopper.Origin.Source == policy.Source || stopper.Origin.Source.Location is not { } where ? stopper.Origin.ToString() : $"{stopper.Origin} ({where})");
                if ((rule.Action == RuleAction.Allow && !verdict.Allowed) || (rule.Action == RuleAction.Deny && verdict.Allowed))
                {
                    u.ContradictingOutcomes++;
                }
            }
        }
    }

    private static void EqualPriorities(PolicyModel model, List<LintFinding> findings)
    {
        foreach (var tier in model.Tiers.Where(t => t.Kind is TierKind.Admin or TierKind.Baseline))
        {
            foreach (var group in tier.Policies.Where(p => !p.Staged && p.Source.ApiVersion.StartsWith("policy.networking.k8s.io/", StringComparison.Ordinal)).GroupBy(p => p.Order).Where(g => g.Count() > 1))
            {
                var names = group.Select(p => p.Source.DisplayName).ToList();
                var places = group.Select(p => p.Source.Location).OfType<string>().ToList();
                findings.Add(new LintFinding(LintSeverity.Warning, "equal-priority", string.Join(", ", names),
                    $"{string.Join(" and ", names)} share priority {group.Key} in tier {tier.Name}: where both match a connection the API leaves the outcome to the implementation{(places.Count > 1 ? $" (defined at {string.Join(" and ", places)})" : string.Empty)}")
                {
                    Source = group.First().Source,
                });
            }
        }
    }

    private static void AllowFromAnywhere(PolicyModel model, List<LintFinding> findings)
    {
        foreach (var policy in Enforced(model))
        {
            foreach (var (rules, direction) in new[] { (policy.IngressRules, Direction.Ingress), (policy.EgressRules, Direction.Egress) })
            {
                if (!policy.Governs(direction))
                {
                    continue;
                }

                foreach (var rule in rules.Where(r => r.Action == RuleAction.Allow))
                {
                    var remote = direction == Direction.Ingress ? rule.Source : rule.Destination;
                    var anywhere = remote.Peers.IsEmpty || remote.Peers.Any(p => p.Nets.Any(n => n.Network.PrefixLength == 0 && n.Except.IsEmpty) && !p.RequiresWorkload);
                    if (!anywhere || !remote.NotNets.IsEmpty || remote.NotSelector is not null)
                    {
                        continue;
                    }

                    var ports = rule.Destination.Ports.IsEmpty ? "on every port" : $"on {string.Join(", ", rule.Destination.Ports)}";
                    var (code, what) = direction == Direction.Ingress ? ("allow-from-anywhere", "from anywhere") : ("allow-to-anywhere", "to anywhere");
                    findings.Add(new LintFinding(LintSeverity.Warning, code, policy.Source.DisplayName, $"{rule.Origin.Path} allows traffic {what} {ports}")
                    {
                        Source = policy.Source,
                        Path = rule.Origin.Path,
                    });
                }
            }
        }
    }

    /// <summary>Policies that apply to no workload, and rule peers that hold no workload and no network set (as the engine selects them).</summary>
    private static void SelectorsSelectingNothing(ClusterSnapshot cluster, PolicyModel model, CalculationEngine engine, List<LintFinding> findings)
    {
        var selected = cluster.Workloads.Where(w => !w.HostNetwork)
            .SelectMany(w => EndpointPolicies.Of(engine, engine.EndpointHandle(w.Id)))
            .Select(p => p.Key)
            .ToHashSet(StringComparer.Ordinal);
        var handles = cluster.Workloads.Select(w => engine.EndpointHandle(w.Id)).ToList();
        var setAddresses = cluster.NetworkSets.SelectMany(s => s.Nets).Select(n => n.Network.BaseAddress).ToList();
        var rules = new RuleExplainer(engine);
        foreach (var policy in model.Policies)
        {
            if (!selected.Contains(CalculationEngine.PolicyKey(policy)))
            {
                findings.Add(new LintFinding(LintSeverity.Warning, "selector-selects-nothing", policy.Source.DisplayName, $"the policy applies to no workload ({policy.AppliesTo})") { Source = policy.Source });
                continue;
            }

            foreach (var rule in policy.IngressRules.Concat(policy.EgressRules))
            {
                var (compiled, _) = rules.Compiled(rule);
                foreach (var (peers, ends) in new[] { (rule.Source.Peers, compiled.From.Peers), (rule.Destination.Peers, compiled.To.Peers) })
                {
                    for (var i = 0; i < peers.Count; i++)
                    {
                        var peer = peers[i];
                        if (!peer.RequiresWorkload || peer == Peer.Nothing)
                        {
                            continue;
                        }

                        var probe = rules.PeerProbe(rule, ends[i]);
                        var any = handles.Any(h => rules.HoldsSource(probe, h, null)) || setAddresses.Any(a => rules.HoldsSource(probe, -1, a));
                        if (!any)
                        {
                            findings.Add(new LintFinding(LintSeverity.Warning, "selector-selects-nothing", policy.Source.DisplayName, $"{rule.Origin.Path}: the peer ({peer}) matches no workload or network set")
                            {
                                Source = policy.Source,
                                Path = rule.Origin.Path,
                            });
                        }
                    }
                }
            }
        }
    }
}
