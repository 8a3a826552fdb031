using System.Net.Sockets;
using Palisade.Dataplane.Nftables.Model;
using Palisade.Engine.Calculation;
using Palisade.Model;
using Palisade.Model.Cluster;
using Palisade.Model.Policies;

namespace Palisade.Dataplane.Nftables;

/// <summary>
/// Turns a policy rule's peers, ports, protocols and ICMP fields into nftables matches, adding the selector, node and
/// named-port sets they look up to the render's sets.
/// </summary>
internal sealed class RuleMatches(CalculationEngine engine, IReadOnlyDictionary<string, Workload> workloads, Dictionary<string, NftSet> sets)
{
    private readonly Dictionary<(int Id, int Family), string> selectorSets = [];

    /// <summary>
    /// The alternatives (each a list of match statements) under which a rule matches. Peers and port groups are
    /// alternatives (OR); within one alternative every condition must hold. Reply form reads the original
    /// direction from a reply packet: source and destination swapped, the destination port in the source port.
    /// </summary>
    public List<List<NftStatement>> Of(Rule rule, bool reply)
    {
        var (src4, dst4, src6, dst6, dport) = reply
            ? (NftField.IpDaddr, NftField.IpSaddr, NftField.Ip6Daddr, NftField.Ip6Saddr, NftField.SourcePort)
            : (NftField.IpSaddr, NftField.IpDaddr, NftField.Ip6Saddr, NftField.Ip6Daddr, NftField.DestinationPort);
        var common = new List<NftStatement>();
        if (rule.Protocol is { } p)
        {
            common.Add(new NftMatch(NftField.L4Proto, Proto(p)));
        }

        if (rule.NotProtocol is { } np)
        {
            common.Add(new NftMatch(NftField.L4Proto, Proto(np), negated: true));
        }

        if (rule.IpVersion is { } version)
        {
            common.Add(new NftMatch(NftField.NfProto, version == 6 ? NftSymbol.Ipv6 : NftSymbol.Ipv4));
        }

        if (rule.Icmp is { } icmp)
        {
            // Judged on new connections only: ICMP types are not mirrored for replies.
            common.Add(reply ? new NftMatch(NftField.L4Proto, new NftAnonymousSet([new NftProtocol(1), new NftProtocol(58)])) : IcmpMatch(icmp, negate: false));
        }

        if (rule.NotIcmp is { } notIcmp && !reply)
        {
            common.Add(IcmpMatch(notIcmp, negate: true));
        }

        var alternatives = new List<List<NftStatement>> { common };
        alternatives = Cross(alternatives, EntityAlternatives(rule.Source, src4, src6, dport: null, destination: false));
        alternatives = Cross(alternatives, EntityAlternatives(rule.Destination, dst4, dst6, dport, destination: true));
        return alternatives;
    }

    private static List<List<NftStatement>> Cross(List<List<NftStatement>> left, List<List<NftStatement>> right)
    {
        var result = new List<List<NftStatement>>(left.Count * right.Count);
        foreach (var l in left)
        {
            foreach (var r in right)
            {
                result.Add([.. l, .. r]);
            }
        }

        return result;
    }

    private List<List<NftStatement>> EntityAlternatives(EntityMatch match, NftField field4, NftField field6, NftField? dport, bool destination)
    {
        var exclusions = new List<NftStatement>();
        if (match.NotSelector is { } notSelector)
        {
            var id = engine.SelectorOf(new Peer { CalicoScope = true, Selector = notSelector });
            exclusions.Add(new NftMatch(field4, new NftSetRef(SelectorSet(id, 4)), negated: true));
        }

        if (!match.NotNets.IsEmpty)
        {
            var v4 = match.NotNets.Where(n => n.Network.BaseAddress.AddressFamily == AddressFamily.InterNetwork).ToList();
            if (v4.Count > 0)
            {
                exclusions.Add(new NftMatch(field4, new NftAnonymousSet([.. v4.Select(n => new NftPrefix(n.Network))]), negated: true));
            }
        }

        var peerAlternatives = new List<List<NftStatement>>();
        if (match.Peers.IsEmpty)
        {
            peerAlternatives.Add([]);
        }
        else
        {
            foreach (var peer in match.Peers)
            {
                peerAlternatives.AddRange(PeerAlternatives(peer, field4, field6));
            }
        }

        var portAlternatives = new List<List<NftStatement>>();
        if (match.Ports.IsEmpty)
        {
            portAlternatives.Add([]);
        }
        else if (dport is not { } port)
        {
            // Source ports are never fixed by a flow: a rule restricting them never matches (as in the engine),
            // so it has no alternative at all.
            return [];
        }
        else
        {
            portAlternatives.AddRange(PortAlternatives(match.Ports, port));
        }

        if (destination && dport is { } d)
        {
            foreach (var notPort in match.NotPorts)
            {
                exclusions.Add(NotPortMatch(notPort, d));
            }
        }

        var combined = Cross(peerAlternatives, portAlternatives);
        foreach (var c in combined)
        {
            c.AddRange(exclusions);
        }

        return combined;
    }

    private List<List<NftStatement>> PeerAlternatives(Peer peer, NftField field4, NftField field6)
    {
        var conditions = new List<List<NftStatement>>();
        if (peer.RequiresWorkload)
        {
            var id = engine.SelectorOf(peer);
            conditions.Add([new NftMatch(field4, new NftSetRef(SelectorSet(id, 4)))]);
            if (SelectorHasFamily(id, 6))
            {
                conditions.Add([new NftMatch(field6, new NftSetRef(SelectorSet(id, 6)))]);
            }
        }
        else if (peer.NodeSelector is { } nodeSelector)
        {
            var addresses = engine.NodeAddresses(nodeSelector).Where(a => a.AddressFamily == AddressFamily.InterNetwork).ToList();
            var set = $"node-{RulesetRenderer.Hash(nodeSelector.ToString())}-v4";
            sets[set] = new NftSet(set, [NftType.Ipv4Addr], Sorted(addresses.Select(a => new NftElement(new NftAddress(a)))));
            conditions.Add([new NftMatch(field4, new NftSetRef(set))]);
        }
        else
        {
            conditions.Add([]);
        }

        if (peer.Nets.IsEmpty)
        {
            return conditions;
        }

        var result = new List<List<NftStatement>>();
        foreach (var block in peer.Nets)
        {
            var v6 = block.Network.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6;
            var field = v6 ? field6 : field4;
            var net = new List<NftStatement> { new NftMatch(field, new NftPrefix(block.Network)) };
            if (!block.Except.IsEmpty)
            {
                net.Add(new NftMatch(field, new NftAnonymousSet([.. block.Except.Select(e => new NftPrefix(e))]), negated: true));
            }

            foreach (var c in conditions)
            {
                // A selector condition of the other family cannot hold together with this range.
                if (c.Count > 0 && c[0] is NftMatch m && m.Key[0] == (v6 ? field4 : field6))
                {
                    continue;
                }

                result.Add([.. c, .. net]);
            }
        }

        return result;
    }

    private List<List<NftStatement>> PortAlternatives(EquatableArray<PortMatch> ports, NftField dport)
    {
        var result = new List<List<NftStatement>>();
        var numeric = ports.Where(p => !p.IsNamed).GroupBy(p => p.Protocol);
        foreach (var group in numeric)
        {
            var alt = new List<NftStatement>();
            if (group.Key is { } protocol)
            {
                alt.Add(new NftMatch(NftField.L4Proto, Proto(protocol)));
            }

            if (!group.Any(p => p.IsAnyPort))
            {
                alt.Add(new NftMatch(dport, new NftAnonymousSet([.. group.Select(PortValue).Distinct()])));
            }

            result.Add(alt);
        }

        foreach (var named in ports.Where(p => p.IsNamed))
        {
            result.Add([NamedPortMatch(named, dport, negate: false)]);
        }

        return result;
    }

    private NftMatch NotPortMatch(PortMatch port, NftField dport)
    {
        if (port.IsNamed)
        {
            return NamedPortMatch(port, dport, negate: true);
        }

        return port.Protocol is { } p
            ? new NftMatch([NftField.L4Proto, dport], new NftConcat([Proto(p), PortValue(port)]), Negated: true)
            : new NftMatch(dport, PortValue(port), negated: true);
    }

    private static NftValue PortValue(PortMatch port) =>
        port.First == port.Last ? new NftInteger((uint)port.First) : new NftRange((uint)port.First, (uint)port.Last);

    /// <summary>A named port resolves at the destination: a set of (destination address, protocol, port) of every pod declaring the name.</summary>
    private NftMatch NamedPortMatch(PortMatch port, NftField dport, bool negate)
    {
        // The destination address field: daddr for the original direction, saddr for replies.
        var dst = dport == NftField.DestinationPort ? NftField.IpDaddr : NftField.IpSaddr;
        var set = $"np-{Sanitize(port.Name!)}-{(port.Protocol is { } p ? Proto(p).ToString() : "any")}";
        if (!sets.ContainsKey(set))
        {
            var elements = workloads.Values
                .Where(w => !w.HostNetwork)
                .SelectMany(w => w.Ports.Where(cp => cp.Name == port.Name && (port.Protocol is null || cp.Protocol == port.Protocol))
                    .SelectMany(cp => w.Addresses.Where(a => a.AddressFamily == AddressFamily.InterNetwork)
                        .Select(a => new NftElement(new NftConcat([new NftAddress(a), Proto(cp.Protocol), new NftInteger((uint)cp.Port)])))))
                .Distinct();
            sets[set] = new NftSet(set, [NftType.Ipv4Addr, NftType.InetProto, NftType.InetService], Sorted(elements));
        }

        return new NftMatch([dst, NftField.L4Proto, dport], new NftSetRef(set), Negated: negate);
    }

    /// <summary>
    /// The set of a selector's addresses in one family: a hash set (one lookup of the address) while it holds only
    /// addresses, an interval set once a network set adds ranges. The two kinds have different names, so that a selector
    /// changing kind is a new set and its rules a new reference in the diff, never a set whose type changes under rules
    /// that use it.
    /// </summary>
    private string SelectorSet(int id, int family)
    {
        var known = selectorSets.GetValueOrDefault((id, family));
        if (known is not null)
        {
            return known;
        }

        var members = (id < 0 ? [] : engine.SelectorMembers(id)
            .SelectMany(w => workloads.TryGetValue(w, out var wl) ? wl.Addresses.AsImmutableArray() : [])
            .Where(a => (a.AddressFamily == AddressFamily.InterNetworkV6) == (family == 6))
            .Select(a => (NftValue)new NftAddress(a))
            .Concat(id < 0 ? [] : engine.SelectorNetworkSetRanges(id)
                .Where(r => (r.Network.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6) == (family == 6) && r.Except.IsEmpty)
                .Select(r => new NftPrefix(r.Network))))
            .Select(v => new NftElement(v))
            .ToList();
        var interval = members.Any(m => m.Key is NftPrefix);
        var name = interval ? $"sel-{id}-v{family}" : $"sel-{id}-v{family}h";
        sets[name] = new NftSet(name, [family == 6 ? NftType.Ipv6Addr : NftType.Ipv4Addr], Sorted(members)) { Interval = interval };
        selectorSets[(id, family)] = name;
        return name;
    }

    /// <summary>Distinct elements in the order of their text: a render's sets do not depend on the engine's order.</summary>
    private static EquatableArray<NftElement> Sorted(IEnumerable<NftElement> elements) =>
        [.. elements.DistinctBy(e => e.ToString()).OrderBy(e => e.ToString(), StringComparer.Ordinal)];

    private bool SelectorHasFamily(int id, int family) =>
        id >= 0 && engine.SelectorMembers(id).Any(w => workloads.TryGetValue(w, out var wl) && wl.Addresses.Any(a => (a.AddressFamily == AddressFamily.InterNetworkV6) == (family == 6)));

    private static NftMatch IcmpMatch(IcmpMatch icmp, bool negate) => icmp.Code is { } code
        ? new NftMatch([NftField.IcmpType, NftField.IcmpCode], new NftConcat([new NftInteger((uint)icmp.Type), new NftInteger((uint)code)]), Negated: negate)
        : new NftMatch(NftField.IcmpType, new NftInteger((uint)icmp.Type), negate);

    private static NftProtocol Proto(Protocol p) => new(p.Number);

    private static string Sanitize(string name) => new([.. name.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_')]);
}
