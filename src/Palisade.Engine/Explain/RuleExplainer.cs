using System.Globalization;
using System.Net;
using Palisade.Engine.Calculation;
using Palisade.Model;
using Palisade.Model.Policies;
using EndpointState = Palisade.Engine.Calculation.CalculationEngine.EndpointState;

namespace Palisade.Engine.Explain;

/// <summary>Says in words why a rule does not match a flow: the first of its compiled conditions that fails.</summary>
/// <remarks>
/// Contract: reads a flushed engine and changes nothing. Each condition is tested as the engine tests it (its peer,
/// port and address tests, its selector index), one at a time, in the order a reader checks a rule: protocol, ICMP,
/// IP version, then the source and the destination (peers, notSelector, notNets, ports, notPorts). It names no failing
/// condition exactly when the verdict walker says the rule matches (CheckEquivalenceTests holds it to that, and to the
/// reference evaluator's words).
/// </remarks>
internal sealed class RuleExplainer(CalculationEngine engine)
{
    private Dictionary<Rule, CompiledRule>? compiled;

    /// <summary>The engine's compiled form of one of its policies' rules (by reference).</summary>
    public CompiledRule Compiled(Rule rule)
    {
        if (compiled is null)
        {
            compiled = new Dictionary<Rule, CompiledRule>(ReferenceEqualityComparer.Instance);
            foreach (var policy in engine.PolicyStates)
            {
                foreach (var c in policy.Ingress.Concat(policy.Egress))
                {
                    compiled.TryAdd(c.Source, c);
                }
            }
        }

        return compiled.TryGetValue(rule, out var found) ? found
            : throw new ArgumentException($"{rule.Origin} is not a rule of a policy the engine enforces", nameof(rule));
    }

    /// <summary>Whether a compiled peer holds an end (an endpoint, with the address the flow uses or any of its own, or an outside address).</summary>
    public bool PeerMatches(CompiledPeer peer, EndpointState? endpoint, IPAddress? address) =>
        engine.ComplexRules.PeerMatches(peer, Pod(endpoint), endpoint, address);

    /// <summary>Why the rule does not match the flow, or null when it matches.</summary>
    public string? WhyNot(Rule rule, ref FlowRef flow)
    {
        var c = Compiled(rule);
        if (rule.Protocol is { } p && p != flow.Protocol)
        {
            return $"the flow is {flow.Protocol}, the rule is for {p} only";
        }

        if (rule.NotProtocol is { } np && np == flow.Protocol)
        {
            return $"the rule excludes {np}";
        }

        // The flows the engine judges carry no ICMP type: a rule for one never matches them, and a notICMP excludes none.
        if (rule.Icmp is not null)
        {
            return $"the rule is for ICMP {rule.Icmp} only";
        }

        if (rule.IpVersion is { } version && ComplexRuleMatcher.IpVersionOf(ref flow) is { } actual && actual != version)
        {
            return $"the flow is IPv{actual}, the rule is for IPv{version} only";
        }

        return EntityWhyNot(c.From, rule.Source, flow.Source, flow.SourceAddress, ref flow, isDestination: false, "source")
            ?? EntityWhyNot(c.To, rule.Destination, flow.Destination, flow.DestinationAddress, ref flow, isDestination: true, "destination");
    }

    private string? EntityWhyNot(CompiledEntity entity, EntityMatch match, EndpointState? endpoint, IPAddress? address, ref FlowRef flow, bool isDestination, string role)
    {
        if (entity.IsAny)
        {
            return null;
        }

        var pod = Pod(endpoint);
        var end = endpoint?.Workload.Id ?? address?.ToString() ?? "?";
        if (entity.Peers.Length > 0 && !entity.Peers.Any(peer => engine.ComplexRules.PeerMatches(peer, pod, endpoint, address)))
        {
            return $"the {role} {end} is not {string.Join(" or ", match.Peers.Select(p => $"({p})"))}";
        }

        if (entity.NotMatcher >= 0)
        {
            var m = engine.Matcher(entity.NotMatcher);
            if ((pod is not null && m.Members.Contains(pod.Identity)) || engine.ComplexRules.InSelectedNetworkSet(m, endpoint, address))
            {
                return $"the {role} {end} is excluded by notSelector [{match.NotSelector}]";
            }
        }

        if (entity.NotNets.Length > 0 && ComplexRuleMatcher.AnyAddressIn(entity.NotNets, endpoint, address))
        {
            return $"the {role} {end} is in an excluded range {{{string.Join("; ", match.NotNets)}}}";
        }

        var port = new PortSpec(flow.Port, flow.Protocol);
        if (entity.Ports.Length > 0)
        {
            if (!isDestination)
            {
                return "the rule restricts source ports, which a flow does not fix";
            }

            if (!AnyPort(entity.Ports, ref flow, pod))
            {
                var named = entity.Ports.Where(pm => pm.IsNamed).ToList();
                var protocol = flow.Protocol;
                var resolved = named.Count == 0 || pod is null ? string.Empty
                    : $" ({string.Join(", ", named.Select(pm => $"{pm.Name} is {(pod.Workload.ResolveNamedPort(pm.Name!, pm.Protocol ?? protocol) is { } n ? n.ToString(CultureInfo.InvariantCulture) : "not declared")} on {pod.Workload.Id}"))})";
                return $"port {port} is not in {{{string.Join(", ", match.Ports)}}}{resolved}";
            }
        }

        if (isDestination && AnyPort(entity.NotPorts, ref flow, pod))
        {
            return $"port {port} is excluded ({{{string.Join(", ", match.NotPorts)}}})";
        }

        return null;
    }

    private static bool AnyPort(PortMatch[] ports, ref FlowRef flow, EndpointState? destination)
    {
        foreach (var pm in ports)
        {
            if (ComplexRuleMatcher.PortMatches(pm, ref flow, destination))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The end as a pod: host-network workloads are known to rules only by their addresses.</summary>
    private static EndpointState? Pod(EndpointState? endpoint) => endpoint is { Workload.HostNetwork: false } ? endpoint : null;
}
