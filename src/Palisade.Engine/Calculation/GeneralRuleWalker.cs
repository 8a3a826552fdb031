using System.Net;
using Palisade.Model.Cluster;
using Palisade.Model.Policies;

namespace Palisade.Engine.Calculation;

/// <summary>
/// Judges a rule of uncommon shape from its general form in the program's code (<see cref="GeneralRuleCode"/>), for
/// the verdict walker, the flow tracer and class analysis; and tells which addresses lie in blocks.
/// </summary>
/// <remarks>
/// Contract: reads the code, the program's tables, the selector index's members, the nodes and the network sets;
/// writes nothing but the blocks a Calico selector selects among network sets (cached on the selector by
/// <paramref name="selectedNets"/>, outside the flow path). Semantics equal the reference evaluator's on flows, which
/// carry no ICMP type and no source port: a rule requiring an ICMP type or naming source ports never matches.
/// </remarks>
internal sealed class GeneralRuleWalker(List<MatcherState?> matchers, Dictionary<IPAddress, NodeInfo> nodesByAddress, Dictionary<string, NetworkSetInfo> networkSets, Func<MatcherState, CidrBlock[]> selectedNets)
{
    /// <summary>Whether the rule at <paramref name="at"/> of <paramref name="code"/> (<paramref name="program"/>'s, not simple) matches the flow.</summary>
    public bool Matches(int[] code, int at, TierProgram program, ref FlowRef flow)
    {
        var protocol = flow.Protocol.Number;
        if ((code[at + 1] >= 0 && code[at + 1] != protocol) || (code[at + 2] >= 0 && code[at + 2] == protocol))
        {
            return false;
        }

        var g = code[at + 5];
        if ((code[g] & GeneralRuleCode.FlagIcmp) != 0)
        {
            return false;
        }

        var version = code[g + 1];
        if (version != 0 && IpVersionOf(ref flow) is { } actual && actual != version)
        {
            return false;
        }

        return EntityMatches(code, g + GeneralRuleCode.HeaderSize, program, flow.Source, flow.SourceAddress, ref flow, isDestination: false) &&
            EntityMatches(code, code[g + 2], program, flow.Destination, flow.DestinationAddress, ref flow, isDestination: true);
    }

    /// <summary>The flow's IP version, by its first known address (an outside address, else an endpoint's first); null when none is known.</summary>
    private static int? IpVersionOf(ref FlowRef flow)
    {
        var a = flow.DestinationAddress ?? flow.SourceAddress ??
            (flow.Destination is { } d && !d.Workload.Addresses.IsEmpty ? d.Workload.Addresses[0] :
             flow.Source is { } s && !s.Workload.Addresses.IsEmpty ? s.Workload.Addresses[0] : null);
        return a is null ? null : a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 6 : 4;
    }

    private bool EntityMatches(int[] code, int p, TierProgram program, EndpointState? endpoint, IPAddress? address, ref FlowRef flow, bool isDestination)
    {
        var peers = code[p++];
        if (peers < 0)
        {
            return true;
        }

        var pod = endpoint is { HostNetwork: false } ? endpoint : null;
        var any = peers == 0;
        for (var k = 0; k < peers; k++)
        {
            var nets = code[p + 3];
            any = any || PeerMatches(code[p], code[p + 1] != 0, code[p + 2], code.AsSpan(p + 4, nets), program, pod, endpoint, address);
            p += 4 + nets;
        }

        if (!any)
        {
            return false;
        }

        var notMatcher = code[p++];
        if (notMatcher >= 0)
        {
            var m = matchers[notMatcher]!;
            if ((pod is not null && m.Members.Contains(pod.Identity)) || InSelectedNetworkSet(m, endpoint, address))
            {
                return false;
            }
        }

        var notNets = code[p++];
        if (notNets > 0 && AnyAddressIn(code.AsSpan(p, notNets), program.Blocks, endpoint, address))
        {
            return false;
        }

        p += notNets;
        var hasPorts = flow.Protocol.HasPorts;
        var ports = code[p++];
        if (ports > 0 && (!isDestination || !SimpleRuleTest.PortsMatch(code, p, ports, program, ref flow, hasPorts)))
        {
            // Flows carry no source port: ports on the source's side never match.
            return false;
        }

        p += TierProgram.PortSize * ports;
        var notPorts = code[p++];
        return !isDestination || notPorts == 0 || !SimpleRuleTest.PortsMatch(code, p, notPorts, program, ref flow, hasPorts);
    }

    private bool PeerMatches(int matcher, bool calico, int nodeSelector, ReadOnlySpan<int> nets, TierProgram program, EndpointState? pod, EndpointState? endpoint, IPAddress? address)
    {
        if (matcher >= 0)
        {
            var m = matchers[matcher]!;
            if (pod is not null && nodeSelector < 0 && m.Members.Contains(pod.Identity))
            {
                return nets.IsEmpty || AnyAddressIn(nets, program.Blocks, endpoint, address);
            }

            // Not a member by metadata: Calico selectors still match addresses inside the network sets they select.
            return calico && InSelectedNetworkSet(m, endpoint, address) && (nets.IsEmpty || AnyAddressIn(nets, program.Blocks, endpoint, address));
        }

        if (nodeSelector >= 0)
        {
            if (pod is not null || !IsNodeAddress(program.NodeSelectors[nodeSelector], endpoint, address))
            {
                return false;
            }
        }
        else if (nets.IsEmpty)
        {
            return false;
        }

        return nets.IsEmpty || AnyAddressIn(nets, program.Blocks, endpoint, address);
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

    /// <summary>Whether the end (an outside address, else an endpoint's addresses) lies in one of the blocks numbered <paramref name="numbers"/> in <paramref name="blocks"/>.</summary>
    private static bool AnyAddressIn(ReadOnlySpan<int> numbers, CidrBlock[] blocks, EndpointState? endpoint, IPAddress? address)
    {
        foreach (var b in numbers)
        {
            if (Holds(blocks[b], endpoint, address))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether the end (an outside address, else an endpoint's addresses) lies in one of <paramref name="nets"/>.</summary>
    internal static bool AnyAddressIn(CidrBlock[] nets, EndpointState? endpoint, IPAddress? address)
    {
        foreach (var n in nets)
        {
            if (Holds(n, endpoint, address))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Whether a block holds the end: an outside address, else one of an endpoint's addresses; an endpoint whose
    /// addresses are unknown (a Deployment's pods) only in a block holding every address.
    /// </summary>
    private static bool Holds(CidrBlock block, EndpointState? endpoint, IPAddress? address)
    {
        if (address is not null)
        {
            return block.Contains(address);
        }

        if (endpoint is null)
        {
            return false;
        }

        var addresses = endpoint.Workload.Addresses;
        if (addresses.IsEmpty)
        {
            return block.CoversEverything;
        }

        foreach (var a in addresses)
        {
            if (block.Contains(a))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether the end lies in a network set a Calico selector selects (Calico selectors also name those addresses).</summary>
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
