using System.Collections.Immutable;
using System.Net;
using Palisade.Engine.Evaluation;
using Palisade.Model;
using Palisade.Model.Cluster;
using Palisade.Model.Policies;

namespace Palisade.Engine.Tests.Oracle;

/// <summary>
/// The tests' reference oracle: judges flows against the policy model as written, object by object, the plainest way —
/// for each direction, tiers in order, policies in order, rules in order; the first Allow or Deny decides, Pass skips
/// to the next tier, Log goes on; a tier whose policies applied but decided nothing ends in its end action; past the
/// last tier the flow is allowed.
/// </summary>
/// <remarks>
/// Production answers through the calculation engine (<see cref="Palisade.Engine.Explain.FlowExplainer"/> for
/// <c>check</c>, the engine itself for everything else); this independent reading of the semantics is what the
/// equivalence tests hold the engine to, so it lives with the tests and nothing in src uses it.
/// </remarks>
public sealed class PolicyEvaluator
{
    private readonly ClusterSnapshot cluster;
    private readonly PolicyModel model;
    private readonly PolicyEvaluator? stagedView;

    public PolicyEvaluator(ClusterSnapshot cluster, PolicyModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        this.cluster = cluster;
        this.model = model;
        if (model.Policies.Any(p => p.Staged))
        {
            stagedView = new PolicyEvaluator(cluster, WithStagedEnforced(model));
        }
    }

    /// <summary>
    /// The model as it would be if staged policies were enforced: a staged policy replaces the enforced policy it
    /// targets (same kind, namespace and name), a staged deletion removes it, and other staged policies are added.
    /// </summary>
    public static PolicyModel WithStagedEnforced(PolicyModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var targets = model.Policies.Where(p => p.Staged && p.StagedTarget is not null).Select(p => p.StagedTarget!).ToHashSet(StringComparer.Ordinal);
        return new PolicyModel(model.Tiers.Select(t => t with
        {
            Policies = new(t.Policies
                .Where(p => p.Staged ? !p.StagedDeletion : !targets.Contains(EnforcedKey(p)))
                .Select(p => p.Staged ? p with { Staged = false } : p)),
        }));
    }

    private static string EnforcedKey(Policy p) =>
        $"{p.Source.ApiVersion} {p.Source.Kind} {(p.Namespace is null ? p.Name : $"{p.Namespace}/{p.Name}")}";

    public FlowVerdict Evaluate(Flow flow)
    {
        ArgumentNullException.ThrowIfNull(flow);
        return new FlowVerdict(flow, EvaluateDirection(flow, Direction.Egress), EvaluateDirection(flow, Direction.Ingress));
    }

    /// <summary>Evaluates one direction: egress at the flow's source, ingress at its destination.</summary>
    public DirectionVerdict EvaluateDirection(Flow flow, Direction direction)
    {
        var verdict = EvaluateEnforced(flow, direction);
        if (stagedView is null || verdict.Reason is VerdictReason.NotAWorkload or VerdictReason.HostNetwork)
        {
            return verdict;
        }

        var workload = (direction == Direction.Egress ? flow.Source : flow.Destination).Workload!;
        var staged = ImmutableArray.CreateBuilder<StagedOutcome>();
        foreach (var tier in model.Tiers)
        {
            foreach (var policy in tier.Policies)
            {
                if (policy.Staged && !policy.StagedDeletion && policy.Governs(direction) && AppliesTo(policy, workload))
                {
                    staged.Add(new StagedOutcome(tier, policy, policy.Rules(direction).FirstOrDefault(r => r.Action != RuleAction.Log && Matches(r, flow))));
                }
            }
        }

        return verdict with { Staged = staged.ToImmutable(), IfStagedEnforced = stagedView.EvaluateEnforced(flow, direction) };
    }

    private DirectionVerdict EvaluateEnforced(Flow flow, Direction direction)
    {
        ArgumentNullException.ThrowIfNull(flow);
        var local = direction == Direction.Egress ? flow.Source : flow.Destination;
        if (local.Workload is not { } workload)
        {
            return new DirectionVerdict(direction, true, VerdictReason.NotAWorkload);
        }

        if (workload.HostNetwork)
        {
            return new DirectionVerdict(direction, true, VerdictReason.HostNetwork);
        }

        var steps = ImmutableArray.CreateBuilder<EvaluationStep>();
        var anyApplied = false;
        foreach (var tier in model.Tiers)
        {
            var applied = false;
            var passed = false;
            foreach (var policy in tier.Policies)
            {
                if (policy.Staged || !policy.Governs(direction) || !AppliesTo(policy, workload))
                {
                    continue;
                }

                applied = true;
                steps.Add(new EvaluationStep(StepKind.PolicyApplies, tier, policy, null));
                foreach (var rule in policy.Rules(direction))
                {
                    if (!Matches(rule, flow))
                    {
                        continue;
                    }

                    switch (rule.Action)
                    {
                        case RuleAction.Log:
                            steps.Add(new EvaluationStep(StepKind.Logged, tier, policy, rule));
                            continue;
                        case RuleAction.Pass:
                            steps.Add(new EvaluationStep(StepKind.Passed, tier, policy, rule));
                            passed = true;
                            break;
                        default:
                            steps.Add(new EvaluationStep(StepKind.Decided, tier, policy, rule));
                            var allowed = rule.Action == RuleAction.Allow;
                            return new DirectionVerdict(direction, allowed, allowed ? VerdictReason.RuleAllowed : VerdictReason.RuleDenied)
                            {
                                Rule = rule,
                                Policy = policy,
                                Tier = tier,
                                Steps = steps.ToImmutable(),
                            };
                    }

                    break;
                }

                if (passed)
                {
                    break;
                }
            }

            anyApplied |= applied;
            if (!applied || passed)
            {
                continue;
            }

            if (tier.EndAction == RuleAction.Deny)
            {
                steps.Add(new EvaluationStep(StepKind.Decided, tier, null, null));
                return new DirectionVerdict(direction, false, VerdictReason.TierEndDenied) { Tier = tier, Steps = steps.ToImmutable() };
            }

            steps.Add(new EvaluationStep(StepKind.TierPassed, tier, null, null));
        }

        return new DirectionVerdict(direction, true, anyApplied ? VerdictReason.PassedAllTiers : VerdictReason.NoPolicyApplies)
        {
            Steps = steps.ToImmutable(),
        };
    }

    /// <summary>Whether a policy applies to a workload (its subject matches; host-network pods are never subjects).</summary>
    public bool AppliesTo(Policy policy, Workload workload) => !workload.HostNetwork && MetadataMatches(policy.AppliesTo, workload);

    /// <summary>Whether a rule matches a flow (protocol, ICMP, IP version, source and destination conditions).</summary>
    public bool Matches(Rule rule, Flow flow)
    {
        if (rule.Protocol is { } p && p != flow.Protocol)
        {
            return false;
        }

        if (rule.NotProtocol is { } np && np == flow.Protocol)
        {
            return false;
        }

        if (rule.Icmp is { } icmp && !IcmpMatches(icmp, flow))
        {
            return false;
        }

        if (rule.NotIcmp is { } notIcmp && IcmpMatches(notIcmp, flow))
        {
            return false;
        }

        if (rule.IpVersion is { } version && IpVersionOf(flow) is { } actual && actual != version)
        {
            return false;
        }

        return EntityMatches(rule.Source, flow.Source, flow, isDestination: false) &&
               EntityMatches(rule.Destination, flow.Destination, flow, isDestination: true);
    }

    private static bool IcmpMatches(IcmpMatch icmp, Flow flow) =>
        (flow.Protocol == Protocol.Icmp || flow.Protocol == Protocol.IcmpV6) &&
        flow.IcmpType == icmp.Type && (icmp.Code is null || flow.IcmpCode == icmp.Code);

    private static int? IpVersionOf(Flow flow)
    {
        var address = flow.Destination.Address ?? flow.Source.Address ??
            (flow.Destination.Workload is { Addresses.IsEmpty: false } d ? d.Addresses[0] :
             flow.Source.Workload is { Addresses.IsEmpty: false } s ? s.Addresses[0] : null);
        return address is null ? null : address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 6 : 4;
    }

    /// <summary>
    /// Why a rule does not match a flow — the first condition that fails, in words — or null when it matches. For
    /// explanations of denied flows ("the nearest rule missed because ...").
    /// </summary>
    public string? WhyNot(Rule rule, Flow flow)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(flow);
        if (rule.Protocol is { } p && p != flow.Protocol)
        {
            return $"the flow is {flow.Protocol}, the rule is for {p} only";
        }

        if (rule.NotProtocol is { } np && np == flow.Protocol)
        {
            return $"the rule excludes {np}";
        }

        if (rule.Icmp is not null && !IcmpMatches(rule.Icmp, flow))
        {
            return $"the rule is for ICMP {rule.Icmp} only";
        }

        if (rule.NotIcmp is not null && IcmpMatches(rule.NotIcmp, flow))
        {
            return $"the rule excludes ICMP {rule.NotIcmp}";
        }

        if (rule.IpVersion is { } version && IpVersionOf(flow) is { } actual && actual != version)
        {
            return $"the flow is IPv{actual}, the rule is for IPv{version} only";
        }

        return EntityWhyNot(rule.Source, flow.Source, flow, isDestination: false, "source")
            ?? EntityWhyNot(rule.Destination, flow.Destination, flow, isDestination: true, "destination");
    }

    private string? EntityWhyNot(EntityMatch match, FlowEnd end, Flow flow, bool isDestination, string role)
    {
        if (!match.Peers.IsEmpty && !match.Peers.Any(peer => PeerMatches(peer, end)))
        {
            return $"the {role} {end} is not {string.Join(" or ", match.Peers.Select(p => $"({p})"))}";
        }

        var workload = end.Workload is { HostNetwork: false } w ? w : null;
        if (match.NotSelector is { } notSelector &&
            ((workload is not null && notSelector.Matches(cluster.CalicoLabels(workload))) || InAnyNetworkSet(end, set => notSelector.Matches(NetworkSetLabels(set)))))
        {
            return $"the {role} {end} is excluded by notSelector [{notSelector}]";
        }

        if (!match.NotNets.IsEmpty && AnyAddressIn(match.NotNets, end))
        {
            return $"the {role} {end} is in an excluded range {{{string.Join("; ", match.NotNets)}}}";
        }

        if (!match.Ports.IsEmpty)
        {
            if (!isDestination)
            {
                return "the rule restricts source ports, which a flow does not fix";
            }

            if (!match.Ports.Any(pm => PortMatches(pm, flow, workload)))
            {
                var named = match.Ports.Where(pm => pm.IsNamed).ToList();
                var resolved = named.Count == 0 || workload is null ? string.Empty
                    : $" ({string.Join(", ", named.Select(pm => $"{pm.Name} is {(workload.ResolveNamedPort(pm.Name!, pm.Protocol ?? flow.Protocol) is { } n ? n.ToString(System.Globalization.CultureInfo.InvariantCulture) : "not declared")} on {workload.Id}"))})";
                return $"port {new PortSpec(flow.Port, flow.Protocol)} is not in {{{string.Join(", ", match.Ports)}}}{resolved}";
            }
        }

        if (isDestination && match.NotPorts.Any(pm => PortMatches(pm, flow, workload)))
        {
            return $"port {new PortSpec(flow.Port, flow.Protocol)} is excluded ({{{string.Join(", ", match.NotPorts)}}})";
        }

        return null;
    }

    private bool EntityMatches(EntityMatch match, FlowEnd end, Flow flow, bool isDestination)
    {
        if (!match.Peers.IsEmpty)
        {
            var any = false;
            foreach (var peer in match.Peers)
            {
                if (PeerMatches(peer, end))
                {
                    any = true;
                    break;
                }
            }

            if (!any)
            {
                return false;
            }
        }

        var workload = end.Workload is { HostNetwork: false } w ? w : null;
        if (match.NotSelector is { } notSelector &&
            ((workload is not null && notSelector.Matches(cluster.CalicoLabels(workload))) || InAnyNetworkSet(end, set => notSelector.Matches(NetworkSetLabels(set)))))
        {
            return false;
        }

        if (!match.NotNets.IsEmpty && AnyAddressIn(match.NotNets, end))
        {
            return false;
        }

        // Only destination ports are known for a flow; a rule restricting source ports cannot be shown to match.
        if (!match.Ports.IsEmpty)
        {
            if (!isDestination)
            {
                return false;
            }

            var any = false;
            foreach (var pm in match.Ports)
            {
                if (PortMatches(pm, flow, workload))
                {
                    any = true;
                    break;
                }
            }

            if (!any)
            {
                return false;
            }
        }

        if (isDestination)
        {
            foreach (var pm in match.NotPorts)
            {
                if (PortMatches(pm, flow, workload))
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static bool PortMatches(PortMatch pm, Flow flow, Workload? destination)
    {
        if (pm.Protocol is { } p && p != flow.Protocol)
        {
            return false;
        }

        if (!flow.Protocol.HasPorts)
        {
            return pm.IsAnyPort;
        }

        if (pm.Name is { } name)
        {
            // Named ports resolve against the destination workload's container ports of the flow's protocol.
            return destination?.ResolveNamedPort(name, flow.Protocol) == flow.Port;
        }

        return flow.Port >= pm.First && flow.Port <= pm.Last;
    }

    private bool PeerMatches(Peer peer, FlowEnd end)
    {
        if (end.Workload is { HostNetwork: false } workload)
        {
            return PeerMatchesWorkload(peer, workload, end.Address);
        }

        // An outside address, or a host-network pod known only by its address: label conditions cannot hold, except
        // through Calico network sets, which give outside addresses labels.
        if (peer.CalicoScope && peer.RequiresWorkload)
        {
            return SelectsNetworkSetHolding(peer, end) && (peer.Nets.IsEmpty || AnyAddressIn(peer.Nets, end));
        }

        if (peer.RequiresWorkload || (peer.Nets.IsEmpty && peer.NodeSelector is null))
        {
            return false;
        }

        if (peer.NodeSelector is { } nodeSelector && !IsNodeAddress(nodeSelector, end))
        {
            return false;
        }

        return peer.Nets.IsEmpty || AnyAddressIn(peer.Nets, end);
    }

    private bool IsNodeAddress(Palisade.Model.Selectors.Selector nodeSelector, FlowEnd end)
    {
        if (end.Address is { } address)
        {
            return cluster.FindNodeByAddress(address) is { } node && nodeSelector.Matches(node.Labels);
        }

        if (end.Workload is { } w)
        {
            foreach (var a in w.Addresses)
            {
                if (cluster.FindNodeByAddress(a) is { } node && nodeSelector.Matches(node.Labels))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private bool PeerMatchesWorkload(Peer peer, Workload workload, IPAddress? address)
    {
        if (peer.NodeSelector is not null)
        {
            // A node peer names node addresses; a pod on the pod network never has one.
            return false;
        }

        if (peer.CalicoScope && peer.RequiresWorkload && !MetadataMatches(peer, workload))
        {
            // Calico selectors also pick network sets; a pod whose address lies in a selected set matches by address.
            var end = address is null ? FlowEnd.Of(workload) : FlowEnd.Of(workload, address);
            return SelectsNetworkSetHolding(peer, end) && (peer.Nets.IsEmpty || AnyAddressIn(peer.Nets, end));
        }

        if (!MetadataMatches(peer, workload))
        {
            return false;
        }

        if (!peer.Nets.IsEmpty)
        {
            return address is not null ? AnyContains(peer.Nets, address) : AnyAddressIn(peer.Nets, FlowEnd.Of(workload));
        }

        return true;
    }

    /// <summary>The conditions on a workload's metadata: namespace, labels, namespace labels, service account.</summary>
    private bool MetadataMatches(Peer peer, Workload workload)
    {
        var facts = new WorkloadFacts(
            workload.Namespace,
            workload.Labels,
            workload.ServiceAccount,
            cluster.NamespaceLabels(workload.Namespace),
            cluster.ServiceAccountLabels(workload),
            new SnapshotCalicoView(cluster, workload));
        return PeerMatching.MatchesMetadata(peer, facts);
    }

    private sealed class SnapshotCalicoView(ClusterSnapshot cluster, Workload workload) : ICalicoView
    {
        public LabelSet CalicoLabels() => cluster.CalicoLabels(workload);

        public LabelSet CalicoNamespaceLabels() => cluster.CalicoNamespaceLabels(workload.Namespace);
    }

    /// <summary>Whether the end's address lies in a network set the peer selects (Calico scope rules).</summary>
    private bool SelectsNetworkSetHolding(Peer peer, FlowEnd end)
    {
        if (peer.ServiceAccountSelector is not null || !peer.ServiceAccountNames.IsEmpty || cluster.NetworkSets.IsEmpty)
        {
            return false;
        }

        return InAnyNetworkSet(end, set => NetworkSetSelected(peer, set));
    }

    private bool NetworkSetSelected(Peer peer, NetworkSetInfo set)
    {
        if (set.Namespace is { } ns)
        {
            if (peer.Namespace is { } scope && !string.Equals(scope, ns, StringComparison.Ordinal))
            {
                return false;
            }

            if (peer.NamespaceSelector is { } nsSelector && !nsSelector.Matches(cluster.CalicoNamespaceLabels(ns)))
            {
                return false;
            }
        }
        else
        {
            // A namespaced policy's selector never reaches global sets, unless its namespaceSelector uses global().
            if (peer.Namespace is not null)
            {
                return false;
            }

            if (peer.NamespaceSelector is { } nsSelector && !(nsSelector.Matches(LabelSet.Empty, global: true) && !nsSelector.Matches(LabelSet.Empty, global: false)))
            {
                return false;
            }
        }

        return peer.Selector is null || peer.Selector.Matches(NetworkSetLabels(set));
    }

    private static LabelSet NetworkSetLabels(NetworkSetInfo set) =>
        set.Namespace is null ? set.Labels : set.Labels.With("projectcalico.org/namespace", set.Namespace);

    private bool InAnyNetworkSet(FlowEnd end, Func<NetworkSetInfo, bool> selected)
    {
        foreach (var set in cluster.NetworkSets)
        {
            if (selected(set) && AnyAddressIn(set.Nets, end))
            {
                return true;
            }
        }

        return false;
    }

    private static bool AnyAddressIn(EquatableArray<CidrBlock> nets, FlowEnd end)
    {
        if (end.Address is { } address)
        {
            return AnyContains(nets, address);
        }

        if (end.Workload is { } w)
        {
            if (w.Addresses.IsEmpty)
            {
                return CoversEverything(nets);
            }

            foreach (var a in w.Addresses)
            {
                if (AnyContains(nets, a))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>A workload whose addresses are unknown lies in a block only if the block holds every address.</summary>
    internal static bool CoversEverything(EquatableArray<CidrBlock> nets)
    {
        foreach (var n in nets)
        {
            if (n.CoversEverything)
            {
                return true;
            }
        }

        return false;
    }

    private static bool AnyContains(EquatableArray<CidrBlock> nets, IPAddress address)
    {
        foreach (var n in nets)
        {
            if (n.Contains(address))
            {
                return true;
            }
        }

        return false;
    }
}
