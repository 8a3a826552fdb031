using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Palisade.Dataplane.Nftables.Model;
using static Palisade.Dataplane.Nftables.Model.NftStatements;
using Palisade.Engine.Calculation;
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
/// <para>Cost: every packet of a pod pays one anti-spoofing lookup and two tests of its connection before the fast path
/// accepts it; a new connection then pays one lookup per verdict map, one per selector set its rules test (hash sets
/// while a selector holds only addresses) and no test meant for another kind of packet. docs/architecture.md measures
/// what each step cost.</para>
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
    /// <summary>The chain every denial goes to: it marks the connection denied and rejects.</summary>
    internal const string DenyChain = "deny";

    /// <summary>Where an allowed flow's chain goes at its end: new connections are logged as allowed.</summary>
    internal const string AllowedNewChain = "allowed-new";

    /// <summary>A local pod: its workload id and the host-side interface its traffic crosses.</summary>
    public sealed record LocalEndpoint(string WorkloadId, string Interface);

    public NftTable Render(CalculationEngine engine, IReadOnlyList<LocalEndpoint> locals, uint generation)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(locals);
        var state = new RenderState(engine, catalog, flowLogs);
        var endpoints = engine.EndpointViews().ToDictionary(e => e.WorkloadId, StringComparer.Ordinal);
        var egressO = new List<NftElement>();
        var ingressO = new List<NftElement>();
        var egressR = new List<NftElement>();
        var ingressR = new List<NftElement>();
        var spoof4 = new List<NftElement>();
        var spoof6 = new List<NftElement>();
        var ifaces = new List<NftElement>();
        foreach (var local in locals.OrderBy(l => l.WorkloadId, StringComparer.Ordinal))
        {
            if (!endpoints.TryGetValue(local.WorkloadId, out var view) || view.Workload.HostNetwork)
            {
                continue;
            }

            var iface = new NftString(local.Interface);
            ifaces.Add(new NftElement(iface));
            foreach (var a in view.Workload.Addresses)
            {
                (a.AddressFamily == AddressFamily.InterNetworkV6 ? spoof6 : spoof4).Add(new NftElement(new NftConcat([iface, new NftAddress(a)])));
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
                    // The ingress map is the last thing policy-o does, and policy-o is reached by goto from forward:
                    // a goto there ends the walk in the endpoint's chain (accepted by the hook's policy, or denied)
                    // without coming back through policy-o and forward.
                    var element = new NftElement(iface, direction == Direction.Ingress && !reply ? NftVerdict.Goto(chain) : NftVerdict.Jump(chain));
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

        state.AddSet(new NftSet("local-ifaces", [NftType.IfName], [.. ifaces]));
        state.AddSet(new NftSet("spoof-v4", [NftType.IfName, NftType.Ipv4Addr], [.. spoof4]));
        state.AddSet(new NftSet("spoof-v6", [NftType.IfName, NftType.Ipv6Addr], [.. spoof6]));
        state.AddSet(new NftSet("egress-o", [NftType.IfName], [.. egressO]) { IsMap = true });
        state.AddSet(new NftSet("ingress-o", [NftType.IfName], [.. ingressO]) { IsMap = true });
        state.AddSet(new NftSet("egress-r", [NftType.IfName], [.. egressR]) { IsMap = true });
        state.AddSet(new NftSet("ingress-r", [NftType.IfName], [.. ingressR]) { IsMap = true });
        if (flowLogs)
        {
            state.AddChain(new NftChain(AllowedNewChain, [Rule(State(NftCtStates.New), new NftLog(FlowLogGroup, "pal:allow"))]));
        }

        state.AddChain(new NftChain(DenyChain,
        [
            .. flowLogs ? [Rule(State(NftCtStates.New), new NftLog(FlowLogGroup, "pal:deny"))] : Array.Empty<NftRule>(),
            Rule(new NftSetMark(NftField.CtMark, NftInteger.Mark(0xffffffff))),
            Rule(new NftMatch(NftField.L4Proto, new NftProtocol(6)), NftVerdict.RejectTcpReset),
            Rule(NftVerdict.RejectAdminProhibited),
        ]));
        state.AddChain(new NftChain("policy-o",
        [
            Rule(ClearMark),
            Rule(new NftVerdictMap(NftField.IifName, "egress-o")),
            Rule(ClearMark),
            Rule(new NftVerdictMap(NftField.OifName, "ingress-o")),

            // Reached only when no ingress chain judged the flow (a hit goes to its chain and does not come back).
            .. flowLogs ? [Rule(State(NftCtStates.New), new NftLog(FlowLogGroup, "pal:open"))] : Array.Empty<NftRule>(),
        ]));
        state.AddChain(new NftChain("policy-r",
        [
            Rule(ClearMark),
            Rule(new NftVerdictMap(NftField.OifName, "egress-r")),
            Rule(ClearMark),
            Rule(new NftVerdictMap(NftField.IifName, "ingress-r")),
        ]));
        state.AddChain(Forward(generation));
        state.AddChain(new NftChain("input",
        [
            AntiSpoof4,
            AntiSpoof6,
            Rule(State(NftCtStates.Established | NftCtStates.Related), NftVerdict.Accept),
            Rule(State(NftCtStates.Invalid), NftCounter.Instance, NftVerdict.Drop),
            Rule(ClearMark),
            Rule(new NftVerdictMap(NftField.IifName, "egress-o")),
            Rule(NftCounter.Instance, NftVerdict.Accept),
        ])
        { Hook = new NftHook(NftHookPoint.Input) });
        return state.Table();
    }

    /// <summary>The table with another generation: only the forward chain's fast path and marking change.</summary>
    public static NftTable WithGeneration(NftTable table, uint generation)
    {
        ArgumentNullException.ThrowIfNull(table);
        return table with { Chains = table.Chains.SetItem("forward", Forward(generation)) };
    }

    /// <summary>
    /// The forward hook, ordered by what the packets are: established ones of the current generation leave at once;
    /// new ones come next, carry the generation into their connection's mark and go to judgement (a denial overwrites
    /// the mark), where the hook's policy accepts what is not denied. No packet walks rules meant for another kind.
    /// </summary>
    private static NftChain Forward(uint generation)
    {
        var gen = new NftInteger(generation, NftIntegerFormat.Hex8);
        var setGeneration = new NftSetMark(NftField.CtMark, gen);
        return new NftChain("forward",
        [
            AntiSpoof4,
            AntiSpoof6,
            new NftRule([State(NftCtStates.Established), new NftMatch(NftField.CtMark, gen), NftVerdict.Accept], "fast path: connections allowed under the current rules"),
            new NftRule([State(NftCtStates.New), setGeneration, NftVerdict.Goto("policy-o")], "new connections: judged, marked with the generation unless denied"),
            Rule(State(NftCtStates.Related), NftVerdict.Accept),
            Rule(State(NftCtStates.Invalid), NftCounter.Instance, NftVerdict.Drop),
            Rule(new NftMatch(NftField.CtDirection, NftSymbol.Original), setGeneration, NftVerdict.Goto("policy-o")),
            Rule(new NftMatch(NftField.CtDirection, NftSymbol.Reply), setGeneration, NftVerdict.Goto("policy-r")),
        ])
        { Hook = new NftHook(NftHookPoint.Forward) };
    }

    private const string AntiSpoofing = "anti-spoofing: a pod sends from its own address";

    // The pair lookup first: a pod's own packet fails it and is done after one lookup; only a pair that is not a pod's
    // own (traffic from the fabric, or spoofed) is looked up again among the pods' interfaces.
    private static readonly NftRule AntiSpoof4 = new(
    [
        new NftMatch(NftField.NfProto, NftSymbol.Ipv4),
        new NftMatch([NftField.IifName, NftField.IpSaddr], new NftSetRef("spoof-v4"), Negated: true),
        new NftMatch(NftField.IifName, new NftSetRef("local-ifaces")),
        NftCounter.Instance,
        NftVerdict.Drop,
    ], AntiSpoofing);

    private static readonly NftRule AntiSpoof6 = new(
    [
        new NftMatch(NftField.NfProto, NftSymbol.Ipv6),
        new NftMatch([NftField.IifName, NftField.Ip6Saddr], new NftSetRef("spoof-v6"), Negated: true),
        new NftMatch(NftField.IifName, new NftSetRef("local-ifaces")),
        new NftMatch(NftField.Ip6Saddr, new NftPrefix(IPNetwork.Parse("fe80::/10")), negated: true),
        NftCounter.Instance,
        NftVerdict.Drop,
    ], AntiSpoofing);

    /// <summary>A short stable name part for chains and sets (nftables names are limited to 255 characters).</summary>
    internal static string Hash(string text) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)).AsSpan(0, 6));
}
