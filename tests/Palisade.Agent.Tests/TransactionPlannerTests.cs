using Palisade.Dataplane.Nftables;
using Palisade.Engine.Calculation;
using Palisade.Manifests;

namespace Palisade.Agent.Tests;

/// <summary>The planner renders the node's table and hands the kernel only the difference from what was last written.</summary>
public sealed class TransactionPlannerTests
{
    private static readonly List<RulesetRenderer.LocalEndpoint> Locals = EnforcementTests.Locals;

    private readonly CalculationEngine engine = new();
    private readonly StateSync sync;
    private readonly TransactionPlanner planner = new(new RulesetRenderer(new RuleCatalog()), firstGeneration: 7);

    public TransactionPlannerTests() => sync = new StateSync(engine);

    private void Load(params int[] ports)
    {
        var loaded = new ManifestLoader().LoadText(EnforcementTests.Header + "\n---\n" + EnforcementTests.AllowPolicy(ports), "state.yaml");
        Assert.True(loaded.Succeeded, string.Join("\n", loaded.Errors));
        sync.Apply(loaded.Cluster, loaded.Policies);
    }

    private static string TableHeader => $"add table inet {RulesetRenderer.TableName}\ndelete table inet {RulesetRenderer.TableName}\n";

    [Fact]
    public void Plan_FirstTime_ReplacesTheWholeTableInTheNextGeneration()
    {
        Load(8080);

        var first = planner.Plan(engine, Locals)!;

        Assert.True(first.FullReload);
        Assert.StartsWith(TableHeader, first.Commands, StringComparison.Ordinal);
        Assert.Equal(8u, first.Generation);
        Assert.Equal(RulesetDiff.Replace(first.Table), first.Commands);
    }

    [Fact]
    public void Plan_NothingChangedSinceTheLastCommit_PlansNothing()
    {
        Load(8080);
        planner.Committed(planner.Plan(engine, Locals)!);
        Load(8080);

        Assert.Null(planner.Plan(engine, Locals));
    }

    [Fact]
    public void Plan_AfterACommittedChange_DiffsAgainstWhatWasWritten()
    {
        Load(8080);
        var first = planner.Plan(engine, Locals)!;
        planner.Committed(first);
        Load(8080, 8081);

        var second = planner.Plan(engine, Locals)!;

        Assert.False(second.FullReload);
        Assert.Equal(first.Generation + 1, second.Generation);
        Assert.Equal(RulesetDiff.Transaction(first.Table, second.Table), second.Commands);
        Assert.DoesNotContain("delete table", second.Commands, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_ATransactionNotCommitted_IsPlannedAgainFromTheSameBase()
    {
        Load(8080);
        var first = planner.Plan(engine, Locals)!;
        planner.Committed(first);
        Load(8080, 8081);
        var refused = planner.Plan(engine, Locals)!;

        var again = planner.Plan(engine, Locals)!;

        Assert.Equal(refused.Commands, again.Commands);
        Assert.Equal(refused.Generation, again.Generation);
    }

    [Fact]
    public void FullReload_OfARefusedDiff_ReplacesTheTableWithTheSameTarget()
    {
        Load(8080);
        planner.Committed(planner.Plan(engine, Locals)!);
        Load(8080, 8081);
        var refused = planner.Plan(engine, Locals)!;

        var full = TransactionPlanner.FullReload(refused);

        Assert.True(full.FullReload);
        Assert.Same(refused.Table, full.Table);
        Assert.Equal(refused.Generation, full.Generation);
        Assert.Equal(RulesetDiff.Replace(refused.Table), full.Commands);
    }

    [Fact]
    public void Lost_TheNextPlanReplacesTheWholeTable_EvenWithoutAChange()
    {
        Load(8080);
        planner.Committed(planner.Plan(engine, Locals)!);

        planner.Lost();
        var next = planner.Plan(engine, Locals)!;

        Assert.True(next.FullReload);
        Assert.StartsWith(TableHeader, next.Commands, StringComparison.Ordinal);
        Assert.Null(planner.Written);
    }
}
