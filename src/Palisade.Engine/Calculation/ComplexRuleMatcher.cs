using System.Net;
using Palisade.Model;
using Palisade.Model.Cluster;
using Palisade.Model.Policies;
using EndpointState = Palisade.Engine.Calculation.CalculationEngine.EndpointState;
using MatcherState = Palisade.Engine.Calculation.CalculationEngine.MatcherState;

namespace Palisade.Engine.Calculation;

/// <summary>
/// Judges the rules of uncommon shape the flat code does not hold (exclusions, node selectors, IP versions, ICMP, ports
/// at the source) on their compiled objects, for the verdict walker and class analysis.
/// </summary>
/// <remarks>
/// Contract: reads the selector index's members, the nodes and the network sets, writes nothing but the blocks a Calico
/// selector selects among network sets (cached on the selector by <paramref name="selectedNets"/>, outside the flow path).
/// </remarks>
internal sealed class ComplexRuleMatcher(List<MatcherState?> matchers, Dictionary<IPAddress, NodeInfo> nodesByAddress, Dictionary<string, NetworkSetInfo> networkSets, Func<MatcherState, CidrBlock[]> selectedNets)
{
    internal bool Matches(CompiledRule rule, ref FlowRef flow)
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

    internal static int? IpVersionOf(ref FlowRef flow)
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

    internal static bool PortMatches(PortMatch pm, ref FlowRef flow, EndpointState? destination)
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

    internal bool PeerMatches(CompiledPeer peer, EndpointState? pod, EndpointState? endpoint, IPAddress? address)
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

    internal static bool AnyAddressIn(CidrBlock[] nets, EndpointState? endpoint, IPAddress? address)
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

    internal bool InSelectedNetworkSet(MatcherState m, EndpointState? endpoint, IPAddress? address)
    {
        if (networkSets.Count == 0 || (!m.Peer.CalicoScope) || m.Peer.ServiceAccountSelector is not null || !m.Peer.ServiceAccountNames.IsEmpty)
        {
            return false;
        }

        var nets = m.SelectedNets ?? selectedNets(m);
        return nets.Length > 0 && AnyAddressIn(nets, endpoint, address);
    }
}
