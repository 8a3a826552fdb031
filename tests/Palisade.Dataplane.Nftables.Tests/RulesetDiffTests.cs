using Palisade.Dataplane.Nftables.Model;
using Palisade.Dataplane.Nftables.Transactions;
using Palisade.Engine.Calculation;

namespace Palisade.Dataplane.Nftables.Tests;

/// <summary>
/// Diff transactions, with no kernel: applied in memory with the kernel's checks (nothing refused), they take the table
/// in the kernel to the desired one, and the result judges every pod pair and port as the new engine does.
/// </summary>
public sealed class RulesetDiffTests
{
    [Fact]
    public void Transactions_AlongEveryCaseOfEachSuite_TakeTheTableToEachRender_AndItJudgesAsTheEngine()
    {
        // One catalog for the whole walk, as an agent keeps one: rule numbers stay stable across renders.
        var renderer = new RulesetRenderer(new RuleCatalog());
        var transactions = 0;
        foreach (var suite in ConformanceCases.Directories().GroupBy(Path.GetDirectoryName))
        {
            NftTable? inKernel = null;
            foreach (var dir in suite)
            {
                var (engine, cluster, ports) = ConformanceCases.Load(dir);
                var locals = ConformanceCases.AllLocal(cluster);
                var desired = renderer.Render(engine, locals, NodeContract.Generation + (uint)transactions);
                var plan = inKernel is null ? RulesetDiff.ReplacePlan(desired) : RulesetDiff.Plan(inKernel, desired);
                AssertSelectorSetsKeepTheirKind(desired, plan, dir);
                inKernel = plan.ApplyTo(inKernel);
                transactions++;

                Assert.NotNull(inKernel);
                Assert.Equal(Normalized(desired), Normalized(inKernel));
                Assert.True(RulesetDiff.Plan(inKernel, desired).IsEmpty, $"{dir}: a second diff is not empty");
                var node = new NodeContract.Node(inKernel, locals);
                var (judged, mismatches) = NodeContract.Compare(engine, cluster, ports, (flow, packet) => node.Judge(flow, packet));
                Assert.True(mismatches.Count == 0, $"{dir}: {mismatches.Count} of {judged} flows differ:\n{string.Join("\n", mismatches.Take(3))}");
            }
        }

        Assert.True(transactions >= 200, $"only {transactions} cases walked");
    }

    [Fact]
    public void Transaction_BackAndForthBetweenTwoCases_IsOnlyWhatChanged_AndTextIsItsSerialization()
    {
        var cases = ConformanceCases.Directories();
        var renderer = new RulesetRenderer(new RuleCatalog());
        var (e1, c1, _) = ConformanceCases.Load(cases[0]);
        var (e2, c2, _) = ConformanceCases.Load(cases[1]);
        var first = renderer.Render(e1, ConformanceCases.AllLocal(c1), 1);
        var second = renderer.Render(e2, ConformanceCases.AllLocal(c2), 1);

        var forth = RulesetDiff.Plan(first, second);
        var back = RulesetDiff.Plan(forth.ApplyTo(first)!, first);

        Assert.Equal(Normalized(first), Normalized(back.ApplyTo(forth.ApplyTo(first))!));
        Assert.Equal(forth.ToString(), RulesetDiff.Transaction(first, second));

        // The two cases share their pods: the interface and anti-spoofing sets are not touched.
        foreach (var command in forth.Commands)
        {
            Assert.False(command is NftAddElements { Set: "local-ifaces" or "spoof-v4" } or NftDeleteElements { Set: "local-ifaces" or "spoof-v4" }, command.ToString());
        }
    }

    [Fact]
    public void Transaction_NewGeneration_ChangesOnlyTheForwardChain()
    {
        var (engine, cluster, _) = ConformanceCases.Load(ConformanceCases.Directories()[0]);
        var table = new RulesetRenderer(new RuleCatalog()).Render(engine, ConformanceCases.AllLocal(cluster), 1);

        var plan = RulesetDiff.Plan(table, RulesetRenderer.WithGeneration(table, 2));

        Assert.Equal(new NftFlushChain("forward"), plan.Commands[0]);
        Assert.All(plan.Commands.Skip(1), c => Assert.Equal("forward", Assert.IsType<NftAddRule>(c).Chain));
        Assert.Contains(plan.Commands, c => c is NftAddRule r && r.Rule.Statements.Contains(new NftMatch(NftField.CtMark, new NftInteger(2, NftIntegerFormat.Hex8))));
    }

    /// <summary>
    /// Selector sets are hash sets (named <c>-v4h</c>, <c>-v6h</c>) while they hold only addresses, interval sets once they
    /// hold a range; so a plan never deletes and re-creates a set of the same name (the kernel refuses to delete a set
    /// that rules still use).
    /// </summary>
    private static void AssertSelectorSetsKeepTheirKind(NftTable desired, NftTransaction plan, string dir)
    {
        foreach (var set in desired.Sets.Values.Where(s => s.Name.StartsWith("sel-", StringComparison.Ordinal)))
        {
            var ranges = set.Elements.Any(e => e.Key is NftPrefix);
            Assert.True(set.Interval == ranges && set.Name.EndsWith('h') == !ranges, $"{dir}: {set.Name} ({set.Declaration}) holds {(ranges ? "ranges" : "addresses only")}");
        }

        var deleted = plan.Commands.OfType<NftDeleteSet>().Select(d => d.Name).ToHashSet(StringComparer.Ordinal);
        Assert.DoesNotContain(plan.Commands.OfType<NftAddSet>(), a => deleted.Contains(a.Set.Name));
    }

    /// <summary>The kernel keeps no order of set elements: compare tables with each set's elements sorted.</summary>
    private static NftTable Normalized(NftTable table) => table with
    {
        Sets = table.Sets.SetItems(table.Sets.Select(s => KeyValuePair.Create(s.Key, s.Value with { Elements = [.. s.Value.Elements.OrderBy(e => e.ToString(), StringComparer.Ordinal)] }))),
    };
}
