namespace Palisade.Dataplane.Nftables.Tests;

/// <summary>
/// The node contract, with no kernel: for every conformance case, the tables rendered for a node judge every pod pair
/// and port as the engine does. Packets are traced through the rendered table in memory: a new connection, and an
/// established one whose connection mark is of an older generation (judged again, in both directions, by the
/// mirrored reply chains).
/// </summary>
public sealed class RulesetRendererTests
{
    public static TheoryData<string> Cases() => ConformanceCases.Theory();

    [Fact]
    public void Cases_AreFound_InBothTheUpstreamAndOurSuites()
    {
        var cases = ConformanceCases.Directories();
        var upstream = cases.Count(c => c.Contains($"{Path.DirectorySeparatorChar}upstream{Path.DirectorySeparatorChar}", StringComparison.Ordinal));
        Assert.True(upstream >= 90 && cases.Count - upstream >= 240, $"expected the suites under {ConformanceCases.Root}/tests/conformance: {upstream} upstream cases, {cases.Count - upstream} of ours");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void EveryPodPairAndPort_TracedThroughOneNodesTable_GetsTheEnginesVerdict(string caseDir)
    {
        var (engine, cluster, ports) = ConformanceCases.Load(caseDir);
        var locals = ConformanceCases.AllLocal(cluster);
        var table = new RulesetRenderer(new RuleCatalog()).Render(engine, locals, NodeContract.Generation);
        var node = new NodeContract.Node(table, locals);

        var (judged, mismatches) = NodeContract.Compare(engine, cluster, ports, (flow, packet) => node.Judge(flow, packet));

        Assert.True(mismatches.Count == 0, $"{mismatches.Count} of {judged} flows differ from the engine:\n{string.Join("\n", mismatches.Take(5))}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void EveryPodPairAndPort_AcrossTwoNodes_IsJudgedAtBothEnds_AsTheEngineDoes(string caseDir)
    {
        var (engine, cluster, ports) = ConformanceCases.Load(caseDir);
        var all = ConformanceCases.AllLocal(cluster);
        var nodes = Enumerable.Range(0, 2).Select(n =>
        {
            var locals = all.Where((_, i) => i % 2 == n).ToList();
            return new NodeContract.Node(new RulesetRenderer(new RuleCatalog()).Render(engine, locals, NodeContract.Generation), locals);
        }).ToList();

        // A cross-node flow crosses the source's node (egress, out to the fabric) and the destination's (ingress, in
        // from it): allowed only when both accept.
        var (judged, mismatches) = NodeContract.Compare(engine, cluster, ports, (flow, packet) =>
        {
            var (from, to) = (nodes.Single(n => n.Holds(flow.From)), nodes.Single(n => n.Holds(flow.To)));
            return from == to ? from.Judge(flow, packet) : NodeContract.Both(from.Judge(flow, packet), to.Judge(flow, packet));
        });

        Assert.True(mismatches.Count == 0, $"{mismatches.Count} of {judged} flows differ from the engine:\n{string.Join("\n", mismatches.Take(5))}");
    }

    [Fact]
    public void AllowedAndDeniedFlows_BothOccurAcrossTheCases()
    {
        // The contract above is only as strong as the flows it sees: the cases must hold both verdicts in number.
        var (allowed, denied) = (0, 0);
        foreach (var dir in ConformanceCases.Directories().Take(40))
        {
            var (engine, cluster, ports) = ConformanceCases.Load(dir);
            var locals = ConformanceCases.AllLocal(cluster);
            var node = new NodeContract.Node(new RulesetRenderer(new RuleCatalog()).Render(engine, locals, NodeContract.Generation), locals);
            NodeContract.Compare(engine, cluster, ports, (flow, packet) =>
            {
                var verdict = node.Judge(flow, packet);
                _ = verdict.All(t => t.Accepted) ? allowed++ : denied++;
                return verdict;
            });
        }

        Assert.True(allowed > 100 && denied > 100, $"allowed {allowed}, denied {denied}");
    }
}
