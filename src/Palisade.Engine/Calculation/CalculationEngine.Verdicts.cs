using System.Net;
using Palisade.Engine.Evaluation;
using Palisade.Model;
using Palisade.Model.Cluster;
using Palisade.Model.Policies;

namespace Palisade.Engine.Calculation;

/// <summary>
/// The fast path: a flow is judged by walking the precompiled list of the local endpoint's identity; peers are selector
/// index lookups, so no selector is evaluated and nothing is allocated. Semantics equal <see cref="PolicyEvaluator"/>.
/// </summary>
public sealed partial class CalculationEngine
{
    /// <summary>The handle of a workload for <see cref="Evaluate(int, int, Protocol, int)"/>; -1 when unknown.</summary>
    public int EndpointHandle(string workloadId) => endpointIds.TryGetValue(workloadId, out var h) ? h : -1;

    /// <summary>Judges a flow between two endpoints (by handle) on a destination port.</summary>
    public FastVerdict Evaluate(int source, int destination, Protocol protocol, int port)
    {
        var src = endpoints[source]!;
        var dst = endpoints[destination]!;
        var flow = new FlowRef(src, null, dst, null, protocol, port);
        return new FastVerdict(Judge(ref flow, Model.Policies.Direction.Egress), Judge(ref flow, Model.Policies.Direction.Ingress));
    }

    /// <summary>Judges a flow where either end may be an outside address (handle -1 with an address).</summary>
    public FastVerdict Evaluate(int source, IPAddress? sourceAddress, int destination, IPAddress? destinationAddress, Protocol protocol, int port)
    {
        var flow = new FlowRef(source >= 0 ? endpoints[source] : null, sourceAddress, destination >= 0 ? endpoints[destination] : null, destinationAddress, protocol, port);
        return new FastVerdict(Judge(ref flow, Model.Policies.Direction.Egress), Judge(ref flow, Model.Policies.Direction.Ingress));
    }

    private readonly struct FlowRef(EndpointState? source, IPAddress? sourceAddress, EndpointState? destination, IPAddress? destinationAddress, Protocol protocol, int port)
    {
        public readonly EndpointState? Source = source;
        public readonly IPAddress? SourceAddress = sourceAddress;
        public readonly EndpointState? Destination = destination;
        public readonly IPAddress? DestinationAddress = destinationAddress;
        public readonly Protocol Protocol = protocol;
        public readonly int Port = port;
    }

    private DirectionOutcome Judge(ref FlowRef flow, Direction direction)
    {
        var local = direction == Model.Policies.Direction.Egress ? flow.Source : flow.Destination;
        if (local is null)
        {
            return new DirectionOutcome(VerdictReason.NotAWorkload, -1, -1, -1, direction);
        }

        if (local.Workload.HostNetwork)
        {
            return new DirectionOutcome(VerdictReason.HostNetwork, -1, -1, -1, direction);
        }

        if (local.List < 0)
        {
            return new DirectionOutcome(VerdictReason.NoPolicyApplies, -1, -1, -1, direction);
        }

        var list = lists[local.List]!;
        var entries = direction == Model.Policies.Direction.Ingress ? list.Ingress : list.Egress;
        var segments = direction == Model.Policies.Direction.Ingress ? list.IngressTiers : list.EgressTiers;
        if (entries.Length == 0)
        {
            return new DirectionOutcome(VerdictReason.NoPolicyApplies, -1, -1, -1, direction);
        }

        foreach (var segment in segments)
        {
            var passed = false;
            for (var i = segment.Start; i < segment.End && !passed; i++)
            {
                var policy = entries[i];
                var rules = direction == Model.Policies.Direction.Ingress ? policy.Ingress : policy.Egress;
                for (var r = 0; r < rules.Length; r++)
                {
                    var rule = rules[r];
                    if (rule.Simple ? !MatchesSimple(rule, ref flow, direction) : !Matches(rule, ref flow))
                    {
                        continue;
                    }

                    if (rule.Action == RuleAction.Log)
                    {
                        continue;
                    }

                    if (rule.Action == RuleAction.Pass)
                    {
                        passed = true;
                        break;
                    }

                    return new DirectionOutcome(rule.Action == RuleAction.Allow ? VerdictReason.RuleAllowed : VerdictReason.RuleDenied, policy.Id, r, segment.Tier, direction);
                }
            }

            if (!passed && segment.EndAction == RuleAction.Deny)
            {
                return new DirectionOutcome(VerdictReason.TierEndDenied, -1, -1, segment.Tier, direction);
            }
        }

        return new DirectionOutcome(VerdictReason.PassedAllTiers, -1, -1, -1, direction);
    }

    /// <summary>The common rule shape on flat fields: protocol, destination ports, then the remote identity's selectors.</summary>
    private bool MatchesSimple(CompiledRule rule, ref FlowRef flow, Direction direction)
    {
        if ((rule.Protocol >= 0 && rule.Protocol != flow.Protocol.Number) ||
            (rule.NotProtocol >= 0 && rule.NotProtocol == flow.Protocol.Number) ||
            rule.RequiresIcmpType)
        {
            return false;
        }

        if (rule.IpVersion != 0 && IpVersionOf(ref flow) is { } actual && actual != rule.IpVersion)
        {
            return false;
        }

        var ports = rule.Ports;
        if (ports.Length > 0)
        {
            var any = false;
            for (var i = 0; i < ports.Length; i++)
            {
                ref readonly var p = ref ports[i];
                if (p.Protocol >= 0 && p.Protocol != flow.Protocol.Number)
                {
                    continue;
                }

                if (!flow.Protocol.HasPorts)
                {
                    if (p.Name is null && p.First == 0 && p.Last == 65535)
                    {
                        any = true;
                        break;
                    }

                    continue;
                }

                if (p.Name is { } name
                    ? flow.Destination is { Workload.HostNetwork: false } d && d.Workload.ResolveNamedPort(name, flow.Protocol) == flow.Port
                    : flow.Port >= p.First && flow.Port <= p.Last)
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

        var wanted = rule.RemoteMatchers;
        if (wanted.Length == 0)
        {
            return true;
        }

        var remote = direction == Model.Policies.Direction.Ingress ? flow.Source : flow.Destination;
        if (remote is { Workload.HostNetwork: false, Identity: >= 0 })
        {
            var have = identities[remote.Identity]!.MatcherArray;
            for (var i = 0; i < wanted.Length; i++)
            {
                if (Array.BinarySearch(have, wanted[i]) >= 0)
                {
                    return true;
                }
            }
        }

        if (!rule.RemoteCalico || networkSets.Count == 0)
        {
            return false;
        }

        // Calico selectors also name the addresses of the network sets they select.
        var address = direction == Model.Policies.Direction.Ingress ? flow.SourceAddress : flow.DestinationAddress;
        foreach (var m in wanted)
        {
            if (matchers[m]!.Peer.CalicoScope && InSelectedNetworkSet(matchers[m]!, remote, address))
            {
                return true;
            }
        }

        return false;
    }

    private bool Matches(CompiledRule rule, ref FlowRef flow)
    {
        if (rule.Protocol >= 0 && rule.Protocol != flow.Protocol.Number)
        {
            return false;
        }

        if (rule.NotProtocol >= 0 && rule.NotProtocol == flow.Protocol.Number)
        {
            return false;
        }

        var source = rule.Source;

        // Flows here carry no ICMP type: a rule requiring one never matches, and a notICMP excludes nothing.
        if (source.Icmp is not null)
        {
            return false;
        }

        if (source.IpVersion is { } version && IpVersionOf(ref flow) is { } actual && actual != version)
        {
            return false;
        }

        return rule.From.IsAny || EntityMatches(rule.From, flow.Source, flow.SourceAddress, ref flow, isDestination: false)
            ? rule.To.IsAny || EntityMatches(rule.To, flow.Destination, flow.DestinationAddress, ref flow, isDestination: true)
            : false;
    }

    private static int? IpVersionOf(ref FlowRef flow)
    {
        var a = flow.DestinationAddress ?? flow.SourceAddress ??
            (flow.Destination is { } d && !d.Workload.Addresses.IsEmpty ? d.Workload.Addresses[0] :
             flow.Source is { } s && !s.Workload.Addresses.IsEmpty ? s.Workload.Addresses[0] : null);
        return a is null ? null : a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 6 : 4;
    }

    private bool EntityMatches(CompiledEntity entity, EndpointState? endpoint, IPAddress? address, ref FlowRef flow, bool isDestination)
    {
        var pod = endpoint is { Workload.HostNetwork: false } ? endpoint : null;
        if (entity.Peers.Length > 0)
        {
            var any = false;
            foreach (var peer in entity.Peers)
            {
                if (PeerMatches(peer, pod, endpoint, address))
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

        if (entity.NotMatcher >= 0)
        {
            var m = matchers[entity.NotMatcher]!;
            if ((pod is not null && m.Members.Contains(pod.Identity)) || InSelectedNetworkSet(m, endpoint, address))
            {
                return false;
            }
        }

        if (entity.NotNets.Length > 0 && AnyAddressIn(entity.NotNets, endpoint, address))
        {
            return false;
        }

        if (entity.Ports.Length > 0)
        {
            if (!isDestination)
            {
                return false;
            }

            var any = false;
            foreach (var pm in entity.Ports)
            {
                if (PortMatches(pm, ref flow, pod))
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
            foreach (var pm in entity.NotPorts)
            {
                if (PortMatches(pm, ref flow, pod))
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static bool PortMatches(PortMatch pm, ref FlowRef flow, EndpointState? destination)
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
            return destination?.Workload.ResolveNamedPort(name, flow.Protocol) == flow.Port;
        }

        return flow.Port >= pm.First && flow.Port <= pm.Last;
    }

    private bool PeerMatches(CompiledPeer peer, EndpointState? pod, EndpointState? endpoint, IPAddress? address)
    {
        if (peer.Matcher >= 0)
        {
            var m = matchers[peer.Matcher]!;
            if (pod is not null && peer.NodeSelector is null && m.Members.Contains(pod.Identity))
            {
                return peer.Nets.Length == 0 || AnyAddressIn(peer.Nets, endpoint, address);
            }

            // Not a member by metadata: Calico selectors still match addresses inside the network sets they select.
            return peer.Calico && InSelectedNetworkSet(m, endpoint, address) && (peer.Nets.Length == 0 || AnyAddressIn(peer.Nets, endpoint, address));
        }

        if (peer.NodeSelector is { } nodeSelector)
        {
            if (pod is not null || !IsNodeAddress(nodeSelector, endpoint, address))
            {
                return false;
            }
        }
        else if (peer.Nets.Length == 0)
        {
            return false;
        }

        return peer.Nets.Length == 0 || AnyAddressIn(peer.Nets, endpoint, address);
    }

    private bool IsNodeAddress(Model.Selectors.Selector selector, EndpointState? endpoint, IPAddress? address)
    {
        if (address is not null)
        {
            return nodesByAddress.TryGetValue(address, out var node) && selector.Matches(node.Labels);
        }

        if (endpoint is not null)
        {
            foreach (var a in endpoint.Workload.Addresses)
            {
                if (nodesByAddress.TryGetValue(a, out var node) && selector.Matches(node.Labels))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static bool AnyAddressIn(CidrBlock[] nets, EndpointState? endpoint, IPAddress? address)
    {
        if (address is not null)
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

        if (endpoint is not null)
        {
            var addresses = endpoint.Workload.Addresses;
            if (addresses.IsEmpty)
            {
                // Unknown addresses (a Deployment's pods): only a block holding every address surely holds them.
                foreach (var n in nets)
                {
                    if (n.CoversEverything)
                    {
                        return true;
                    }
                }

                return false;
            }

            foreach (var a in addresses)
            {
                foreach (var n in nets)
                {
                    if (n.Contains(a))
                    {
                        return true;
                    }
                }
            }
        }

        return false;
    }

    private bool InSelectedNetworkSet(MatcherState m, EndpointState? endpoint, IPAddress? address)
    {
        if (networkSets.Count == 0 || (!m.Peer.CalicoScope) || m.Peer.ServiceAccountSelector is not null || !m.Peer.ServiceAccountNames.IsEmpty)
        {
            return false;
        }

        var nets = m.SelectedNets ??= [.. networkSets.Values.Where(s => NetworkSetSelected(m.Peer, s)).SelectMany(s => s.Nets)];
        return nets.Length > 0 && AnyAddressIn(nets, endpoint, address);
    }

    private bool NetworkSetSelected(Peer peer, NetworkSetInfo set)
    {
        if (set.Namespace is { } ns)
        {
            if (peer.Namespace is { } scope && !string.Equals(scope, ns, StringComparison.Ordinal))
            {
                return false;
            }

            if (peer.NamespaceSelector is { } nsSelector && !nsSelector.Matches(CalicoNamespaceLabelsOf(ns)))
            {
                return false;
            }
        }
        else
        {
            if (peer.Namespace is not null)
            {
                return false;
            }

            if (peer.NamespaceSelector is { } nsSelector && !(nsSelector.Matches(LabelSet.Empty, global: true) && !nsSelector.Matches(LabelSet.Empty, global: false)))
            {
                return false;
            }
        }

        var labels = set.Namespace is null ? set.Labels : set.Labels.With("projectcalico.org/namespace", set.Namespace);
        return peer.Selector is null || peer.Selector.Matches(labels);
    }
}
