using System.Net;
using Palisade.Model.Cluster;

namespace Palisade.Engine.Calculation;

/// <summary>
/// Tests one rule of the common shape (<see cref="TierProgram.FlagSimple"/>) on its flat words: protocol, the remote
/// end in its selectors (the remote's peer block) or IPv4 blocks, the destination ports.
/// </summary>
/// <remarks>
/// Contract: reads the code, the remote's view, and cold only where a rule asks (a named port's resolution at the
/// destination, the addresses of an end of several addresses, the network sets Calico selectors also name); writes
/// nothing. Its callers are the verdict walker (which has already found the rule through an index or a filter), the
/// flow tracer and class analysis.
/// </remarks>
internal sealed class SimpleRuleTest(List<EndpointState?> endpoints, Dictionary<string, NetworkSetInfo> networkSets, List<MatcherState?> matchers, GeneralRuleWalker general)
{
    /// <param name="remoteInSelectors">The rule is known to name one of the remote end's selectors (found through an index).</param>
    public bool Matches(int[] code, int at, TierProgram program, ref FlowRef flow, ref RemoteView remote, bool hasPorts, bool remoteInSelectors = false)
    {
        var protocol = flow.Protocol.Number;
        var ruleProtocol = code[at + 1];
        var notProtocol = code[at + 2];
        if ((ruleProtocol >= 0 && ruleProtocol != protocol) || (notProtocol >= 0 && notProtocol == protocol))
        {
            return false;
        }

        // The remote end before the ports: its test reads the rule's own words and the remote's selectors (both at
        // hand), while a named port is resolved through the destination's workload, far away in memory. Found through
        // an index, a rule of selectors only (an indexed rule: the rules every flow meets have none, or have blocks)
        // names one of the remote end's selectors: its remote test is passed already.
        var matcherCount = code[at + 6];
        var nets = (code[at] & TierProgram.FlagNets) != 0;
        var known = remoteInSelectors && matcherCount > 0 && !nets;
        if (!known && (matcherCount > 0 || nets) && !RemoteMatches(code, at, matcherCount, ref remote))
        {
            return false;
        }

        var portCount = code[at + 4];
        return portCount == 0 || PortsMatch(code, code[at + 3], portCount, program, ref flow, hasPorts);
    }

    /// <summary>Whether the remote end is in one of a simple rule's selectors (or, for Calico selectors, in a network set one selects) or IPv4 blocks.</summary>
    private bool RemoteMatches(int[] code, int at, int matcherCount, ref RemoteView remote)
    {
        var start = code[at + 5];
        if ((code[at] & TierProgram.FlagNets) != 0 &&
            (RemoteView.InNets(code, start + matcherCount, ref remote) ||
             ((EndpointAddress.AddressKind)(remote.AddressWord >> 32) == EndpointAddress.AddressKind.Other && InNetsByEachAddress(code, start + matcherCount, ref remote))))
        {
            return true;
        }

        if (matcherCount > 0 && remote.IsPod &&
            ((remote.SignatureLow & ((ulong)(uint)code[at + 9] | ((ulong)(uint)code[at + 10] << 32))) |
             (remote.SignatureHigh & ((ulong)(uint)code[at + 11] | ((ulong)(uint)code[at + 12] << 32)))) != 0)
        {
            var have = remote.Matchers.AsSpan(TierProgram.PeerBlockHeader);
            for (var i = start; i < start + matcherCount; i++)
            {
                if (have.BinarySearch(code[i]) >= 0)
                {
                    return true;
                }
            }
        }

        return matcherCount > 0 && (code[at] & TierProgram.FlagCalico) != 0 && networkSets.Count > 0 && InNetworkSetOfAny(code, start, matcherCount, ref remote);
    }

    internal static bool PortsMatch(int[] code, int first, int count, TierProgram program, ref FlowRef flow, bool hasPorts)
    {
        var protocol = flow.Protocol.Number;
        for (int i = 0, p = first; i < count; i++, p += TierProgram.PortSize)
        {
            var portProtocol = code[p + 2];
            if (portProtocol >= 0 && portProtocol != protocol)
            {
                continue;
            }

            var nameIndex = code[p + 3];
            if (!hasPorts)
            {
                if (nameIndex < 0 && code[p] == 0 && code[p + 1] == 65535)
                {
                    return true;
                }

                continue;
            }

            if (nameIndex >= 0
                ? flow.Destination is { HostNetwork: false } d && d.Workload.ResolveNamedPort(program.Names[nameIndex], flow.Protocol) == flow.Port
                : flow.Port >= code[p] && flow.Port <= code[p + 1])
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Whether a remote end of several addresses (or of an IPv6 one) lies in one of a simple rule's IPv4 blocks: one of
    /// its IPv4 addresses does (an IPv6 address lies in no IPv4 block). Cold: such ends are rare.
    /// </summary>
    private bool InNetsByEachAddress(int[] code, int p, ref RemoteView remote)
    {
        if (remote.Address is { } outside)
        {
            return InNets(code, p, outside);
        }

        if (remote.Handle >= 0 && endpoints[remote.Handle] is { } endpoint)
        {
            foreach (var a in endpoint.Workload.Addresses)
            {
                if (InNets(code, p, a))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static bool InNets(int[] code, int p, IPAddress address)
    {
        var one = new RemoteView { AddressWord = EndpointAddress.Word(address), AddressLoaded = true, Matchers = TierProgram.NoPeers };
        return RemoteView.InNets(code, p, ref one);
    }

    /// <summary>Calico selectors also name the addresses of the network sets they select.</summary>
    private bool InNetworkSetOfAny(int[] code, int start, int count, ref RemoteView remote)
    {
        var endpoint = remote.Handle >= 0 ? endpoints[remote.Handle] : null;
        for (var i = start; i < start + count; i++)
        {
            var m = matchers[code[i]]!;
            if (m.Peer.CalicoScope && general.InSelectedNetworkSet(m, endpoint, remote.Address))
            {
                return true;
            }
        }

        return false;
    }
}
