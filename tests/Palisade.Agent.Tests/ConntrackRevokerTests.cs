using System.ComponentModel;
using Microsoft.Extensions.Logging;
using Palisade.Agent.Tests.Fakes;
using Palisade.Dataplane.Nftables;
using Palisade.Engine.Calculation;
using Palisade.Manifests;

namespace Palisade.Agent.Tests;

/// <summary>The revoker deletes exactly the entries the ruleset marked revoked, once per burst of changes.</summary>
public sealed class ConntrackRevokerTests : IDisposable
{
    private readonly ListLoggerFactory loggers = new();

    public void Dispose() => loggers.Dispose();

    [Fact]
    public void CommandLine_DeletesOnlyEntriesWithTheRevokedMark_InTheNodesNamespace()
    {
        var inNamespace = new ConntrackRevoker("pal-node-1", loggers.CreateLogger<ConntrackRevoker>(), _ => Task.CompletedTask);
        var own = new ConntrackRevoker(null, loggers.CreateLogger<ConntrackRevoker>(), _ => Task.CompletedTask);

        Assert.Equal(["ip", "netns", "exec", "pal-node-1", "conntrack", "-D", "-m", "0xffffffff"], inNamespace.CommandLine);
        Assert.Equal(["conntrack", "-D", "-m", "0xffffffff"], own.CommandLine);
    }

    [Fact]
    public void RevokedMark_IsTheMarkTheRulesetSetsOnARevokedConnection()
    {
        var loaded = new ManifestLoader().LoadText(EnforcementTests.Header + "\n---\n" + EnforcementTests.AllowPolicy(8080), "state.yaml");
        var engine = CalculationEngine.Build(loaded.Cluster, loaded.Policies);

        var script = new RulesetRenderer(new RuleCatalog()).Render(engine, EnforcementTests.Locals, 1).ToScript();

        Assert.Contains($"ct mark set 0x{ConntrackRevoker.RevokedMark:x8}", script, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Request_WhileACutRuns_ManyRequestsCostOneMoreRun()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;
        var revoker = new ConntrackRevoker(null, loggers.CreateLogger<ConntrackRevoker>(), _ =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                started.SetResult();
                return release.Task;
            }

            return Task.CompletedTask;
        });

        revoker.Request();
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        for (var i = 0; i < 10; i++)
        {
            revoker.Request();
        }

        release.SetResult();
        await revoker.Completion.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(2, revoker.Runs);
        Assert.Equal(2, calls);
    }

    [Fact]
    public async Task Request_AfterTheLastCutEnded_RunsAgain()
    {
        var revoker = new ConntrackRevoker(null, loggers.CreateLogger<ConntrackRevoker>(), _ => Task.CompletedTask);

        revoker.Request();
        await revoker.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        revoker.Request();
        await revoker.Completion.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(2, revoker.Runs);
    }

    [Fact]
    public async Task Request_ConntrackNotInstalled_IsReportedNotThrown()
    {
        var revoker = new ConntrackRevoker(null, loggers.CreateLogger<ConntrackRevoker>(), _ => throw new Win32Exception(2, "No such file or directory"));

        revoker.Request();
        await revoker.Completion.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(1, revoker.Runs);
        var (level, message) = Assert.Single(loggers.Messages);
        Assert.Equal(LogLevel.Warning, level);
        Assert.Contains("conntrack -D -m 0xffffffff", message, StringComparison.Ordinal);
    }
}
