using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Palisade.Dataplane.Nftables.Model;
using Palisade.Engine.Calculation;
using Palisade.Model;
using Palisade.Model.Cluster;
using Palisade.Model.Policies;

namespace Palisade.Dataplane.Nftables;

/// <summary>
/// Renders the engine's state for one node into one nftables table, as data. Enforcement sits on the host side of
/// each local pod's interface, both ends bookended: egress where a packet leaves its pod, ingress where it enters one.
/// </summary>
/// <remarks>
/// <para>Structure: base chains <c>forward</c> and <c>input</c> drop spoofed sources, accept established traffic whose
/// connection mark carries the current generation, and send everything else through verdict maps keyed by interface to
/// per-endpoint chains; an endpoint chain jumps to one chain per tier run (shared by every endpoint with the same policies
/// in that tier), where rules are in policy order and Pass and tier ends are returns with a mark.</para>
/// <para>Revocation: every change bumps the generation. An established connection whose mark is older is judged again on
/// its next packet (reply packets by mirrored chains that read the original direction's fields), so that a connection a
/// change no longer allows is cut by the same atomic transaction that changed the rules — no window, no race.</para>
/// <para>Marks: bits 0–1 the decision (1 allow, 2 pass), bit 2 set on ingress, bits 8–31 the deciding rule's number in
/// the <see cref="RuleCatalog"/>, which flow records carry out of the kernel.</para>
/// </remarks>
public sealed class RulesetRenderer(RuleCatalog catalog, bool flowLogs = true)
{
    public const string TableName = "palisade";
    public const int FlowLogGroup = 1;
    public const int PolicyLogGroup = 2;
    private const string Deny = "deny";

    /// <summary>A local pod: its workload id and the host-side interface its traffic crosses.</summary>
    public sealed record LocalEndpoint(string WorkloadId, string Interface);

    public NftTable Render(CalculationEngine engine, IReadOnlyList<LocalEndpoint> locals, uint generation)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(locals);
        var state = new RenderState(engine, catalog, flowLogs);
        var endpoints = engine.EndpointViews().ToDictionary(e => e.WorkloadId, StringComparer.Ordinal);
        var egressO = new List<string>();
        var ingressO = new List<string>();
        var egressR = new List<string>();
        var ingressR = new List<string>();
        var spoof4 = new List<string>();
        var spoof6 = new List<string>();
        var ifaces = new List<string>();
        foreach (var local in locals.OrderBy(l => l.WorkloadId, StringComparer.Ordinal))
        {
            if (!endpoints.TryGetValue(local.WorkloadId, out var view) || view.Workload.HostNetwork)
            {
                continue;
            }

            var iface = Quote(local.Interface);
            ifaces.Add(iface);
            foreach (var a in view.Workload.Addresses)
            {
                (a.AddressFamily == AddressFamily.InterNetworkV6 ? spoof6 : spoof4).Add($"{iface} . {a}");
            }

            if (view.List < 0)
            {
                continue;
            }

            var runs = engine.ListRuns(view.List);
            foreach (var direction in new[] { Direction.Egress, Direction.Ingress })
            {
                var applying = runs.Where(r => r.Policies.Any(p => p.Governs(direction))).ToList();
                if (applying.Count == 0)
                {
                    continue;
                }

                foreach (var reply in new[] { false, true })
                {
                    var chain = state.EndpointChain(applying, direction, reply);
                    var element = $"{iface} : jump {chain}";
                    var target = (direction, reply) switch
                    {
                        (Direction.Egress, false) => egressO,
                        (Direction.Ingress, false) => ingressO,
                        (Direction.Egress, true) => egressR,
                        _ => ingressR,
                    };
                    target.Add(element);
                }
            }
        }

        state.AddSet(new NftSet("local-ifaces", "ifname", ifaces.ToImmutableArray()));
        state.AddSet(new NftSet("spoof-v4", "ifname . ipv4_addr", spoof4.ToImmutableArray()));
        state.AddSet(new NftSet("spoof-v6", "ifname . ipv6_addr", spoof6.ToImmutableArray()));
        state.AddSet(new NftSet("egress-o", "ifname", egressO.ToImmutableArray()) { MapTo = "verdict" });
        state.AddSet(new NftSet("ingress-o", "ifname", ingressO.ToImmutableArray()) { MapTo = "verdict" });
        state.AddSet(new NftSet("egress-r", "ifname", egressR.ToImmutableArray()) { MapTo = "verdict" });
        state.AddSet(new NftSet("ingress-r", "ifname", ingressR.ToImmutableArray()) { MapTo = "verdict" });
        state.AddChain(new NftChain(Deny,
        [
            .. flowLogs ? [R("ct state new log group 1 prefix \"pal:deny\"")] : Array.Empty<NftRule>(),
            R("ct mark set 0xffffffff"),
            R("meta l4proto tcp reject with tcp reset"),
            R("reject with icmpx admin-prohibited"),
        ]));
        state.AddChain(new NftChain("policy-o",
        [
            R("meta mark set 0x0"),
            R("iifname vmap @egress-o"),
            R("meta mark set 0x0"),
            R("oifname vmap @ingress-o"),
        ]));
        state.AddChain(new NftChain("policy-r",
        [
            R("meta mark set 0x0"),
            R("oifname vmap @egress-r"),
            R("meta mark set 0x0"),
            R("iifname vmap @ingress-r"),
        ]));
        state.AddChain(Forward(generation, flowLogs));
        state.AddChain(new NftChain("input",
        [
            AntiSpoof4,
            AntiSpoof6,
            R("ct state established,related accept"),
            R("ct state invalid counter drop"),
            R("meta mark set 0x0"),
            R("iifname vmap @egress-o"),
            R("counter accept"),
        ])
        { Hook = "type filter hook input priority filter; policy accept;" });
        return state.Table();
    }

    /// <summary>The table with another generation: only the forward chain's fast path and marking change.</summary>
    public static NftTable WithGeneration(NftTable table, uint generation)
    {
        ArgumentNullException.ThrowIfNull(table);
        var logs = table.Chains.TryGetValue("forward", out var forward) && forward.Rules.Any(r => r.ToString().Contains("log group", StringComparison.Ordinal));
        return table with { Chains = table.Chains.SetItem("forward", Forward(generation, logs)) };
    }

    private static NftChain Forward(uint generation, bool flowLogs)
    {
        var gen = $"0x{generation:x8}";
        return new NftChain("forward",
        [
            AntiSpoof4,
            AntiSpoof6,
            R($"ct state established ct mark {gen} accept", "fast path: connections allowed under the current rules"),
            R("ct state related accept"),
            R("ct state invalid counter drop"),
            R("ct direction original jump policy-o"),
            R("ct direction reply jump policy-r"),
            .. flowLogs ? [R("ct state new meta mark 0x0 log group 1 prefix \"pal:open\"")] : Array.Empty<NftRule>(),
            R($"ct mark set {gen} accept"),
        ])
        { Hook = "type filter hook forward priority filter; policy accept;" };
    }

    private static readonly NftRule AntiSpoof4 = R("meta nfproto ipv4 iifname @local-ifaces iifname . ip saddr != @spoof-v4 counter drop", "anti-spoofing: a pod sends from its own address");

    private static readonly NftRule AntiSpoof6 = R("meta nfproto ipv6 iifname @local-ifaces iifname . ip6 saddr != @spoof-v6 ip6 saddr != fe80::/10 counter drop", "anti-spoofing: a pod sends from its own address");

    private static NftRule R(string statements, string? comment = null) => new([statements], comment);

    private static string Quote(string s) => $"\"{s}\"";

    /// <summary>Builds the table's sets and chains, sharing what endpoints share.</summary>
    private sealed class RenderState(CalculationEngine engine, RuleCatalog catalog, bool flowLogs)
    {
        private readonly Dictionary<string, NftSet> sets = new(StringComparer.Ordinal);
        private readonly Dictionary<string, NftChain> chains = new(StringComparer.Ordinal);
        private readonly Dictionary<string, Workload> workloads = engine.EndpointViews().ToDictionary(e => e.WorkloadId, e => e.Workload, StringComparer.Ordinal);

        public NftTable Table() => new("inet", TableName,
            sets.ToImmutableSortedDictionary(StringComparer.Ordinal),
            chains.ToImmutableSortedDictionary(StringComparer.Ordinal));

        public void AddSet(NftSet set) => sets[set.Name] = set;

        public void AddChain(NftChain chain) => chains[chain.Name] = chain;

        /// <summary>The chain judging one direction for endpoints with these tier runs; shared by all such endpoints.</summary>
        public string EndpointChain(List<TierRunView> runs, Direction direction, bool reply)
        {
            var name = $"ep-{Hash(string.Join('\n', runs.Select(r => r.Key)))}-{Suffix(direction, reply)}";
            if (chains.ContainsKey(name))
            {
                return name;
            }

            var rules = new List<NftRule>();
            var ingressBit = direction == Direction.Ingress ? 0x4 : 0x0;
            foreach (var run in runs)
            {
                rules.Add(R("meta mark set 0x0"));
                rules.Add(R($"jump {RunChain(run, direction, reply)}"));
                if (!reply && flowLogs)
                {
                    rules.Add(R($"meta mark & 0x3 == 0x1 ct state new log group {FlowLogGroup} prefix \"pal:allow\""));
                }

                rules.Add(R("meta mark & 0x3 == 0x1 return", "allowed in this tier"));
            }

            // Every tier passed the flow on: the end of all tiers allows.
            rules.Add(R("meta mark set 0x1"));
            if (!reply && flowLogs)
            {
                rules.Add(R($"ct state new meta mark set 0x{0x1 | ingressBit:x} log group {FlowLogGroup} prefix \"pal:allow\""));
            }

            chains[name] = new NftChain(name, rules.ToImmutableArray());
            return name;
        }

        private static string Suffix(Direction direction, bool reply) =>
            (direction == Direction.Ingress ? "in" : "eg") + (reply ? "-r" : "-o");

        /// <summary>The chain of one tier run in one direction: its policies' rules in order, then the tier's end.</summary>
        private string RunChain(TierRunView run, Direction direction, bool reply)
        {
            var name = $"run-{Hash(run.Key)}-{Suffix(direction, reply)}";
            if (chains.ContainsKey(name))
            {
                return name;
            }

            var rules = new List<NftRule>();
            var ingressBit = direction == Direction.Ingress ? 0x4 : 0x0;
            foreach (var policy in run.Policies.Where(p => p.Governs(direction)))
            {
                foreach (var rule in policy.Rules(direction))
                {
                    var id = catalog.IdOf($"{policy.Source.ApiVersion} {policy.Source.Kind} {policy.Namespace}/{policy.Name} {rule.Origin.Path}",
                        () => new DecidingRule(run.Tier.Name, policy.Source.DisplayName, rule.Origin.Path, rule.Action, direction));
                    var verdict = rule.Action switch
                    {
                        RuleAction.Allow => $"meta mark set 0x{(id << 8) | 0x1 | ingressBit:x} return",
                        RuleAction.Deny => $"meta mark set 0x{(id << 8) | ingressBit:x} goto {Deny}",
                        RuleAction.Pass => $"meta mark set 0x{(id << 8) | 0x2 | ingressBit:x} return",
                        _ => $"ct state new log group {PolicyLogGroup} prefix \"pal:log\"",
                    };
                    foreach (var match in Matches(rule, reply))
                    {
                        rules.Add(new NftRule([.. match, "counter", verdict], $"{policy.Source.DisplayName} {rule.Origin.Path}"));
                    }
                }
            }

            var end = catalog.IdOf($"end {run.Key} {direction}", () => new DecidingRule(run.Tier.Name, null, null, run.Tier.EndAction, direction));
            rules.Add(run.Tier.EndAction == RuleAction.Deny
                ? R($"counter meta mark set 0x{(end << 8) | ingressBit:x} goto {Deny}", $"end of tier {run.Tier.Name}")
                : R($"counter meta mark set 0x{(end << 8) | 0x2 | ingressBit:x} return", $"end of tier {run.Tier.Name}"));
            chains[name] = new NftChain(name, rules.ToImmutableArray());
            return name;
        }

        /// <summary>
        /// The alternatives (each a list of match statements) under which a rule matches. Peers and port groups are
        /// alternatives (OR); within one alternative every condition must hold. Reply form reads the original
        /// direction from a reply packet: source and destination swapped, the destination port in the source port.
        /// </summary>
        private List<List<string>> Matches(Rule rule, bool reply)
        {
            var (src4, dst4, src6, dst6, dport) = reply
                ? ("ip daddr", "ip saddr", "ip6 daddr", "ip6 saddr", "th sport")
                : ("ip saddr", "ip daddr", "ip6 saddr", "ip6 daddr", "th dport");
            var common = new List<string>();
            if (rule.Protocol is { } p)
            {
                common.Add($"meta l4proto {ProtocolName(p)}");
            }

            if (rule.NotProtocol is { } np)
            {
                common.Add($"meta l4proto != {ProtocolName(np)}");
            }

            if (rule.IpVersion is { } version)
            {
                common.Add(version == 6 ? "meta nfproto ipv6" : "meta nfproto ipv4");
            }

            if (rule.Icmp is { } icmp)
            {
                // Judged on new connections only: ICMP types are not mirrored for replies.
                common.Add(reply ? "meta l4proto { icmp, ipv6-icmp }" : IcmpMatch(icmp, negate: false));
            }

            if (rule.NotIcmp is { } notIcmp && !reply)
            {
                common.Add(IcmpMatch(notIcmp, negate: true));
            }

            var alternatives = new List<List<string>> { common };
            alternatives = Cross(alternatives, EntityAlternatives(rule.Source, src4, src6, dport: null, destination: false));
            alternatives = Cross(alternatives, EntityAlternatives(rule.Destination, dst4, dst6, dport, destination: true));
            return alternatives;
        }

        private static List<List<string>> Cross(List<List<string>> left, List<List<string>> right)
        {
            var result = new List<List<string>>(left.Count * right.Count);
            foreach (var l in left)
            {
                foreach (var r in right)
                {
                    result.Add([.. l, .. r]);
                }
            }

            return result;
        }

        private List<List<string>> EntityAlternatives(EntityMatch match, string field4, string field6, string? dport, bool destination)
        {
            var exclusions = new List<string>();
            if (match.NotSelector is { } notSelector)
            {
                var id = engine.SelectorOf(new Peer { CalicoScope = true, Selector = notSelector });
                exclusions.Add($"{field4} != @{SelectorSet(id, 4)}");
            }

            if (!match.NotNets.IsEmpty)
            {
                var v4 = match.NotNets.Where(n => n.Network.BaseAddress.AddressFamily == AddressFamily.InterNetwork).ToList();
                if (v4.Count > 0)
                {
                    exclusions.Add($"{field4} != {{ {string.Join(", ", v4.Select(n => n.Network))} }}");
                }
            }

            var peerAlternatives = new List<List<string>>();
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

            var portAlternatives = new List<List<string>>();
            if (match.Ports.IsEmpty)
            {
                portAlternatives.Add([]);
            }
            else if (dport is null)
            {
                // Source ports are never fixed by a flow: a rule restricting them never matches (as in the engine),
                // so it has no alternative at all.
                return [];
            }
            else
            {
                portAlternatives.AddRange(PortAlternatives(match.Ports, dport, field4));
            }

            if (destination && dport is not null)
            {
                foreach (var notPort in match.NotPorts)
                {
                    exclusions.Add(NotPortMatch(notPort, dport, field4));
                }
            }

            var combined = Cross(peerAlternatives, portAlternatives);
            foreach (var c in combined)
            {
                c.AddRange(exclusions);
            }

            return combined;
        }

        private List<List<string>> PeerAlternatives(Peer peer, string field4, string field6)
        {
            var conditions = new List<List<string>>();
            if (peer.RequiresWorkload)
            {
                var id = engine.SelectorOf(peer);
                conditions.Add([$"{field4} @{SelectorSet(id, 4)}"]);
                if (SelectorHasFamily(id, 6))
                {
                    conditions.Add([$"{field6} @{SelectorSet(id, 6)}"]);
                }
            }
            else if (peer.NodeSelector is { } nodeSelector)
            {
                var addresses = engine.NodeAddresses(nodeSelector).Where(a => a.AddressFamily == AddressFamily.InterNetwork).ToList();
                var set = $"node-{Hash(nodeSelector.ToString())}-v4";
                AddSet(new NftSet(set, "ipv4_addr", addresses.Select(a => a.ToString()).Order(StringComparer.Ordinal).ToImmutableArray()));
                conditions.Add([$"{field4} @{set}"]);
            }
            else
            {
                conditions.Add([]);
            }

            if (peer.Nets.IsEmpty)
            {
                return conditions;
            }

            var result = new List<List<string>>();
            foreach (var block in peer.Nets)
            {
                var v6 = block.Network.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6;
                var field = v6 ? field6 : field4;
                var net = new List<string> { $"{field} {block.Network}" };
                if (!block.Except.IsEmpty)
                {
                    net.Add($"{field} != {{ {string.Join(", ", block.Except)} }}");
                }

                foreach (var c in conditions)
                {
                    // A selector condition of the other family cannot hold together with this range.
                    if (c.Count > 0 && c[0].StartsWith(v6 ? field4 : field6, StringComparison.Ordinal))
                    {
                        continue;
                    }

                    result.Add([.. c, .. net]);
                }
            }

            return result;
        }

        private List<List<string>> PortAlternatives(EquatableArray<PortMatch> ports, string dport, string field4)
        {
            var result = new List<List<string>>();
            var numeric = ports.Where(p => !p.IsNamed).GroupBy(p => p.Protocol);
            foreach (var group in numeric)
            {
                var alt = new List<string>();
                if (group.Key is { } protocol)
                {
                    alt.Add($"meta l4proto {ProtocolName(protocol)}");
                }

                if (!group.Any(p => p.IsAnyPort))
                {
                    alt.Add($"{dport} {{ {string.Join(", ", group.Select(p => p.First == p.Last ? $"{p.First}" : $"{p.First}-{p.Last}").Distinct())} }}");
                }

                result.Add(alt);
            }

            foreach (var named in ports.Where(p => p.IsNamed))
            {
                result.Add([NamedPortMatch(named, dport, field4, negate: false)]);
            }

            return result;
        }

        private string NotPortMatch(PortMatch port, string dport, string field4)
        {
            if (port.IsNamed)
            {
                return NamedPortMatch(port, dport, field4, negate: true);
            }

            var range = port.First == port.Last ? $"{port.First}" : $"{port.First}-{port.Last}";
            return port.Protocol is { } p ? $"meta l4proto . {dport} != {ProtocolName(p)} . {range}" : $"{dport} != {range}";
        }

        /// <summary>A named port resolves at the destination: a set of (destination address, protocol, port) of every pod declaring the name.</summary>
        private string NamedPortMatch(PortMatch port, string dport, string field4, bool negate)
        {
            // The destination address field: daddr for the original direction, saddr for replies.
            var dst = dport == "th dport" ? "ip daddr" : "ip saddr";
            var set = $"np-{Sanitize(port.Name!)}-{(port.Protocol is { } p ? ProtocolName(p) : "any")}";
            if (!sets.ContainsKey(set))
            {
                var elements = workloads.Values
                    .Where(w => !w.HostNetwork)
                    .SelectMany(w => w.Ports.Where(cp => cp.Name == port.Name && (port.Protocol is null || cp.Protocol == port.Protocol))
                        .SelectMany(cp => w.Addresses.Where(a => a.AddressFamily == AddressFamily.InterNetwork).Select(a => $"{a} . {ProtocolName(cp.Protocol)} . {cp.Port}")))
                    .Distinct()
                    .Order(StringComparer.Ordinal)
                    .ToImmutableArray();
                AddSet(new NftSet(set, "ipv4_addr . inet_proto . inet_service", elements));
            }

            _ = field4;
            return $"{dst} . meta l4proto . {dport} {(negate ? "!= " : string.Empty)}@{set}";
        }

        private string SelectorSet(int id, int family)
        {
            var name = $"sel-{id}-v{family}";
            if (sets.ContainsKey(name))
            {
                return name;
            }

            var members = id < 0 ? [] : engine.SelectorMembers(id)
                .SelectMany(w => workloads.TryGetValue(w, out var wl) ? wl.Addresses.AsImmutableArray() : [])
                .Where(a => (a.AddressFamily == AddressFamily.InterNetworkV6) == (family == 6))
                .Select(a => a.ToString())
                .Concat(id < 0 ? [] : engine.SelectorNetworkSetRanges(id)
                    .Where(r => (r.Network.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6) == (family == 6) && r.Except.IsEmpty)
                    .Select(r => r.Network.ToString()))
                .Distinct()
                .Order(StringComparer.Ordinal)
                .ToImmutableArray();
            AddSet(new NftSet(name, family == 6 ? "ipv6_addr" : "ipv4_addr", members) { Flags = "interval" });
            return name;
        }

        private bool SelectorHasFamily(int id, int family) =>
            id >= 0 && engine.SelectorMembers(id).Any(w => workloads.TryGetValue(w, out var wl) && wl.Addresses.Any(a => (a.AddressFamily == AddressFamily.InterNetworkV6) == (family == 6)));

        private static string IcmpMatch(IcmpMatch icmp, bool negate)
        {
            var op = negate ? "!= " : string.Empty;
            return icmp.Code is { } code
                ? $"icmp type . icmp code {op}{icmp.Type} . {code}"
                : $"icmp type {op}{icmp.Type}";
        }

        private static string ProtocolName(Protocol p) => p.Number switch
        {
            6 => "tcp",
            17 => "udp",
            132 => "sctp",
            1 => "icmp",
            58 => "ipv6-icmp",
            136 => "udplite",
            _ => p.Number.ToString(CultureInfo.InvariantCulture),
        };
    }

    private static string Sanitize(string name) => new([.. name.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_')]);

    /// <summary>A short stable name part for chains and sets (nftables names are limited to 255 characters).</summary>
    internal static string Hash(string text) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)).AsSpan(0, 6));
}
