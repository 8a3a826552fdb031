using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Palisade.Agent.Tests.Fakes;
using Palisade.Dataplane.Nftables;

namespace Palisade.Agent.Tests;

/// <summary>
/// The agent's loop without a kernel: states from a fake source, transactions to a fake applier. A transaction the
/// kernel refuses is followed by a full resync, reported in the log, the flow records and a counter; never an exit.
/// </summary>
public sealed class NodeAgentTests : IDisposable
{
    private static readonly string FullReloadHeader = $"add table inet {RulesetRenderer.TableName}\ndelete table inet {RulesetRenderer.TableName}\n";

    private readonly ChannelStateSource source = new();
    private readonly RecordingApplier applier = new();
    private readonly ListLoggerFactory loggers = new();
    private readonly StringWriter flows = new();
    private readonly List<IReadOnlyList<string>> cuts = [];
    private readonly CancellationTokenSource stop = new(TimeSpan.FromMinutes(1));
    private readonly NodeAgent agent;
    private readonly Task running;

    public NodeAgentTests()
    {
        var options = new AgentOptions(["unused"], "node-1", () => EnforcementTests.Locals) { Poll = TimeSpan.FromMilliseconds(20) };
        var revoker = new ConntrackRevoker(null, loggers.CreateLogger<ConntrackRevoker>(), commandLine =>
        {
            lock (cuts)
            {
                cuts.Add(commandLine);
            }

            return Task.CompletedTask;
        });
        agent = new NodeAgent(options, source, applier, revoker, TextWriter.Synchronized(flows), loggers, TimeProvider.System, readFlows: false);
        running = agent.RunAsync(stop.Token);
    }

    public void Dispose()
    {
        stop.Cancel();
        running.Wait(TimeSpan.FromSeconds(10));
        agent.Dispose();
        stop.Dispose();
        flows.Dispose();
    }

    private static string State(params int[] ports) => EnforcementTests.Header + "\n---\n" + EnforcementTests.AllowPolicy(ports);

    private void WaitFor(Func<bool> condition, string what)
    {
        var sw = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.False(running.IsCompleted, $"the agent stopped ({running.Exception?.GetBaseException().Message}) before {what}; log:\n{loggers.Text}");
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(20), $"timed out waiting until {what}; log:\n{loggers.Text}");
            Thread.Sleep(2);
        }
    }

    private List<(string Commands, bool Taken)> Transactions => [.. applier.Transactions];

    [Fact]
    public void States_FirstIsAFullReload_ThenOnlyChanges_AndEachChangeAsksForACut()
    {
        source.Push(State(8080));
        WaitFor(() => agent.Generations == 1, "the first state is enforced");
        source.Push(State(8080));
        source.Push(State(8080, 8081));
        WaitFor(() => agent.Generations == 2 && agent.Revision == 3, "the change is enforced");

        Assert.Equal(2, Transactions.Count);
        Assert.StartsWith(FullReloadHeader, Transactions[0].Commands, StringComparison.Ordinal);
        Assert.DoesNotContain("delete table", Transactions[1].Commands, StringComparison.Ordinal);
        Assert.Equal(0, agent.Resyncs);
        WaitFor(() => agent.Revision == 3 && CutCount() >= 1, "a cut is asked for");
    }

    [Fact]
    public void RefusedDiff_IsFollowedByAFullReload_ReportedInTheLogTheFlowsAndTheCounter()
    {
        source.Push(State(8080));
        WaitFor(() => agent.Generations == 1, "the first state is enforced");
        applier.RefuseNext(1);

        source.Push(State(8080, 8081));
        WaitFor(() => agent.Generations == 2, "the change is enforced after a resync");

        var tx = Transactions;
        Assert.Equal(3, tx.Count);
        Assert.False(tx[1].Taken);
        Assert.DoesNotContain("delete table", tx[1].Commands, StringComparison.Ordinal);
        Assert.True(tx[2].Taken);
        Assert.StartsWith(FullReloadHeader, tx[2].Commands, StringComparison.Ordinal);
        Assert.Equal(1, agent.Resyncs);
        Assert.Contains(loggers.Messages, m => m.Level == LogLevel.Warning && m.Message.Contains("resync 1", StringComparison.Ordinal));
        var status = Assert.Single(flows.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.Contains("\"status\"", StringComparison.Ordinal));
        using var doc = JsonDocument.Parse(status);
        Assert.Equal("resynced", doc.RootElement.GetProperty("status").GetString());
        Assert.Equal(1, doc.RootElement.GetProperty("count").GetInt32());
        Assert.Equal("node-1", doc.RootElement.GetProperty("node").GetString());

        // The table written in full is the base of the next diff.
        source.Push(State(8080));
        WaitFor(() => agent.Generations == 3, "the next change is enforced");
        Assert.DoesNotContain("delete table", Transactions[^1].Commands, StringComparison.Ordinal);
        Assert.Equal(1, agent.Resyncs);
    }

    [Fact]
    public void RefusedFullReloadToo_AgentKeepsRunning_AndTriesAgainUntilTheKernelTakesIt()
    {
        source.Push(State(8080));
        WaitFor(() => agent.Generations == 1, "the first state is enforced");
        applier.RefuseNext(3);

        source.Push(State(8080, 8081));
        WaitFor(() => agent.Generations == 2, "a later try of the full reload is taken");

        var tx = Transactions;
        Assert.Equal([false, false, false, true], tx.Skip(1).Select(t => t.Taken));
        Assert.All(tx.Skip(2), t => Assert.StartsWith(FullReloadHeader, t.Commands, StringComparison.Ordinal));
        Assert.False(running.IsCompleted);
        Assert.Contains(loggers.Messages, m => m.Level == LogLevel.Error && m.Message.Contains("full reload", StringComparison.Ordinal));
        Assert.Contains("\"status\":\"resync failed\"", flows.ToString(), StringComparison.Ordinal);
    }

    private int CutCount()
    {
        lock (cuts)
        {
            return cuts.Count;
        }
    }
}
