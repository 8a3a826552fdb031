using System.Globalization;
using System.Net;
using Palisade.Engine.Calculation;
using Palisade.Model;
using Palisade.Model.Policies;

namespace Palisade.Engine.Explain;

/// <summary>Says in words why a rule does not match a flow: the first of its conditions that the engine finds failing.</summary>
/// <remarks>
/// Contract: reads a flushed engine and changes nothing in it. The engine itself judges each condition: the condition
/// alone (the rule's protocol, its ICMP type, its IP version, then for the source and the destination their peers,
/// notSelector, notNets, ports and notPorts, in that order) is compiled by the engine's tier-program compiler into a
/// one-rule program of its own, which the walker's rule test judges as it judges every rule. The conditions of a rule
/// hold independently of each other, so the rule matches exactly when none fails: the explainer names no failing
/// condition exactly where the walker matches the whole rule (CheckEquivalenceTests holds it to that, and to the
/// reference evaluator's words).
/// </remarks>
internal sealed class RuleExplainer(CalculationEngine engine)
{
    private static readonly TierState ProbeTier = new() { Id = -1, Tier = new Tier("probe", 0, TierKind.Standard, RuleAction.Pass) };
    private static readonly SourceRef ProbeSource = new("palisade.dev/v1", "ConditionProbe", null, "probe");
    private readonly TierProgramCompiler compiler = new(new CalculationOptions());
    private readonly FlowTracer tracer = new(engine);
    private Dictionary<Rule, (CompiledRule Rule, Direction Direction)>? compiled;

    /// <summary>The engine's compiled form of one of its policies' rules (by reference), with the direction it is for.</summary>
    public (CompiledRule Rule, Direction Direction) Compiled(Rule rule)
    {
        if (compiled is null)
        {
            compiled = new Dictionary<Rule, (CompiledRule, Direction)>(ReferenceEqualityComparer.Instance);
            foreach (var policy in engine.PolicyStates)
            {
                foreach (var c in policy.Ingress)
                {
                    compiled.TryAdd(c.Source, (c, Direction.Ingress));
                }

                foreach (var c in policy.Egress)
                {
                    compiled.TryAdd(c.Source, (c, Direction.Egress));
                }
            }
        }

        return compiled.TryGetValue(rule, out var found) ? found
            : throw new ArgumentException($"{rule.Origin} is not a rule of a policy the engine enforces", nameof(rule));
    }

    /// <summary>A rule's peer alone, as a program the engine judges against a flow's source (<see cref="HoldsSource"/>).</summary>
    public TierProgram PeerProbe(Rule rule, CompiledPeer peer) =>
        Compile(new CompiledRule { Source = rule, From = new CompiledEntity { Peers = [peer] }, To = CompiledEntity.Any }, Direction.Egress);

    /// <summary>Whether a peer probe holds an end: an endpoint (by handle, -1 for none) or an outside address.</summary>
    public bool HoldsSource(TierProgram probe, int handle, IPAddress? address)
    {
        var flow = new FlowRef(engine.Endpoints, handle, address, -1, null, Protocol.Tcp, 1);
        return tracer.Matched(probe, ref flow, Direction.Egress)[0];
    }

    /// <summary>Why the rule does not match the flow, or null when it matches.</summary>
    public string? WhyNot(Rule rule, ref FlowRef flow)
    {
        var (c, direction) = Compiled(rule);
        if (!Holds(new CompiledRule { Source = rule, From = CompiledEntity.Any, To = CompiledEntity.Any, Protocol = c.Protocol }, direction, ref flow))
        {
            return $"the flow is {flow.Protocol}, the rule is for {rule.Protocol} only";
        }

        if (!Holds(new CompiledRule { Source = rule, From = CompiledEntity.Any, To = CompiledEntity.Any, NotProtocol = c.NotProtocol }, direction, ref flow))
        {
            return $"the rule excludes {rule.NotProtocol}";
        }

        // The flows the engine judges carry no ICMP type: a rule for one never matches them, and a notICMP excludes none.
        if (!Holds(new CompiledRule { Source = rule, From = CompiledEntity.Any, To = CompiledEntity.Any, RequiresIcmpType = c.RequiresIcmpType }, direction, ref flow))
        {
            return $"the rule is for ICMP {rule.Icmp} only";
        }

        if (!Holds(new CompiledRule { Source = rule, From = CompiledEntity.Any, To = CompiledEntity.Any, IpVersion = c.IpVersion }, direction, ref flow))
        {
            return $"the flow is IPv{(c.IpVersion == 4 ? 6 : 4)}, the rule is for IPv{c.IpVersion} only";
        }

        return EntityWhyNot(rule, c.From, rule.Source, direction, ref flow, isDestination: false)
            ?? EntityWhyNot(rule, c.To, rule.Destination, direction, ref flow, isDestination: true);
    }

    private string? EntityWhyNot(Rule rule, CompiledEntity entity, EntityMatch match, Direction direction, ref FlowRef flow, bool isDestination)
    {
        if (entity.IsAny)
        {
            return null;
        }

        var (role, endpoint, address) = isDestination ? ("destination", flow.Destination, flow.DestinationAddress) : ("source", flow.Source, flow.SourceAddress);
        var end = endpoint?.Workload.Id ?? address?.ToString() ?? "?";
        if (entity.Peers.Length > 0 && !HoldsEntity(rule, new CompiledEntity { Peers = entity.Peers }, isDestination, direction, ref flow))
        {
            return $"the {role} {end} is not {string.Join(" or ", match.Peers.Select(p => $"({p})"))}";
        }

        if (entity.NotMatcher >= 0 && !HoldsEntity(rule, new CompiledEntity { NotMatcher = entity.NotMatcher }, isDestination, direction, ref flow))
        {
            return $"the {role} {end} is excluded by notSelector [{match.NotSelector}]";
        }

        if (entity.NotNets.Length > 0 && !HoldsEntity(rule, new CompiledEntity { NotNets = entity.NotNets }, isDestination, direction, ref flow))
        {
            return $"the {role} {end} is in an excluded range {{{string.Join("; ", match.NotNets)}}}";
        }

        var port = new PortSpec(flow.Port, flow.Protocol);
        if (entity.Ports.Length > 0 && !HoldsEntity(rule, new CompiledEntity { Ports = entity.Ports }, isDestination, direction, ref flow))
        {
            if (!isDestination)
            {
                return "the rule restricts source ports, which a flow does not fix";
            }

            var pod = endpoint is { HostNetwork: false } ? endpoint.Workload : null;
            var named = entity.Ports.Where(pm => pm.IsNamed).ToList();
            var protocol = flow.Protocol;
            var resolved = named.Count == 0 || pod is null ? string.Empty
                : $" ({string.Join(", ", named.Select(pm => $"{pm.Name} is {(pod.ResolveNamedPort(pm.Name!, pm.Protocol ?? protocol) is { } n ? n.ToString(CultureInfo.InvariantCulture) : "not declared")} on {pod.Id}"))})";
            return $"port {port} is not in {{{string.Join(", ", match.Ports)}}}{resolved}";
        }

        if (entity.NotPorts.Length > 0 && !HoldsEntity(rule, new CompiledEntity { NotPorts = entity.NotPorts }, isDestination, direction, ref flow))
        {
            return $"port {port} is excluded ({{{string.Join(", ", match.NotPorts)}}})";
        }

        return null;
    }

    /// <summary>Whether one condition of an end (the rest of the rule matching anything) holds for the flow.</summary>
    private bool HoldsEntity(Rule rule, CompiledEntity condition, bool isDestination, Direction direction, ref FlowRef flow)
    {
        var probe = new CompiledRule
        {
            Source = rule,
            From = isDestination ? CompiledEntity.Any : condition,
            To = isDestination ? condition : CompiledEntity.Any,
        };
        return Holds(probe, direction, ref flow);
    }

    private bool Holds(CompiledRule probe, Direction direction, ref FlowRef flow) => tracer.Matched(Compile(probe, direction), ref flow, direction)[0];

    /// <summary>A probe rule as the engine's own one-rule tier program (simplified as the rule compiler does), for the walker to judge.</summary>
    private TierProgram Compile(CompiledRule probe, Direction direction)
    {
        TierProgramCompiler.Simplify(probe, ingress: direction == Direction.Ingress);
        var policy = new Policy("probe", ProbeSource, Peer.Nothing) { GovernsIngress = direction == Direction.Ingress, GovernsEgress = direction == Direction.Egress };
        var state = new PolicyState { Id = -1, Stamp = -1, Key = "probe", Policy = policy, Tier = ProbeTier };
        if (direction == Direction.Ingress)
        {
            state.Ingress = [probe];
        }
        else
        {
            state.Egress = [probe];
        }

        return compiler.Build([state], ProbeTier, direction)!;
    }
}
