using Palisade.Dataplane.Nftables.Model;
using Palisade.Dataplane.Nftables.Tracing;
using Palisade.Engine.Evaluation;

namespace Palisade.Dataplane.Nftables.Tests;

/// <summary>
/// The flow records the agent reads (NFLOG group <see cref="RulesetRenderer.FlowLogGroup"/>), with no kernel: every new
/// connection between a node's pods logs, in order, the source's egress decision and the destination's ingress decision
/// (or "pal:open" when no ingress policy judged it), each mark naming the rule the engine says decided. Established
/// packets log nothing.
/// </summary>
public sealed class FlowRecordTests
{
    public static TheoryData<string> Cases() => ConformanceCases.Theory();

    [Theory]
    [MemberData(nameof(Cases))]
    public void EveryNewFlow_LogsTheDecisionOfEachSide_NamingTheEnginesDecidingRule(string caseDir)
    {
        var (engine, cluster, ports) = ConformanceCases.Load(caseDir);
        var locals = ConformanceCases.AllLocal(cluster);
        var catalog = new RuleCatalog();
        var table = new RulesetRenderer(catalog).Render(engine, locals, NodeContract.Generation);
        var node = new NodeContract.Node(table, locals);
        var mismatches = new List<string>();

        var (judged, _) = NodeContract.Compare(engine, cluster, ports, (flow, packet) =>
        {
            var traces = node.Judge(flow, packet);
            var verdict = engine.Trace(engine.EndpointHandle(flow.From), packet.Source, engine.EndpointHandle(flow.To), packet.Destination, flow.Protocol, flow.Port);
            var expected = Expected(verdict);
            var actual = traces[0].Logs.Where(l => l.Group == RulesetRenderer.FlowLogGroup).Select(l => Describe(l, catalog)).ToList();
            if (!expected.SequenceEqual(actual))
            {
                mismatches.Add($"{flow}: expected [{string.Join("; ", expected)}], logged [{string.Join("; ", actual)}]");
            }

            if (traces.Skip(1).Any(t => t.Logs.Count > 0))
            {
                mismatches.Add($"{flow}: an established packet logged");
            }

            return traces;
        });

        Assert.True(mismatches.Count == 0, $"{mismatches.Count} of {judged} flows log otherwise:\n{string.Join("\n", mismatches.Take(5))}");
    }

    /// <summary>What the agent makes of a logged packet: verdict prefix, decision and direction bits, and the rule its number names.</summary>
    private static string Describe(TracedLog log, RuleCatalog catalog)
    {
        var rule = catalog.Find((int)(log.Mark >> 8));
        return $"{log.Prefix} 0x{log.Mark & 0xff:x} {(rule is null ? "-" : $"{rule.Tier}|{rule.Policy}|{rule.Rule}")}";
    }

    private static List<string> Expected(FlowVerdict verdict)
    {
        var records = new List<string>();
        if (verdict.Egress.Reason != VerdictReason.NoPolicyApplies)
        {
            records.Add(Record(verdict.Egress, ingressBit: 0));
            if (!verdict.Egress.Allowed)
            {
                return records;
            }
        }

        records.Add(verdict.Ingress.Reason == VerdictReason.NoPolicyApplies ? "pal:open 0x0 -" : Record(verdict.Ingress, ingressBit: 4));
        return records;
    }

    private static string Record(DirectionVerdict side, int ingressBit) => side.Reason switch
    {
        VerdictReason.RuleAllowed => $"pal:allow 0x{0x1 | ingressBit:x} {side.Tier!.Name}|{side.Policy!.Source.DisplayName}|{side.Rule!.Origin.Path}",
        VerdictReason.PassedAllTiers => $"pal:allow 0x{0x1 | ingressBit:x} -",
        VerdictReason.RuleDenied => $"pal:deny 0x{ingressBit:x} {side.Tier!.Name}|{side.Policy!.Source.DisplayName}|{side.Rule!.Origin.Path}",
        VerdictReason.TierEndDenied => $"pal:deny 0x{ingressBit:x} {side.Tier!.Name}||",
        var other => throw new InvalidOperationException($"a pod's side decided by {other}"),
    };
}
