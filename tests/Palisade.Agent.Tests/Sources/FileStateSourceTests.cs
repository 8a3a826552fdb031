using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Palisade.Agent.Sources;
using Palisade.Agent.Tests.Fakes;

namespace Palisade.Agent.Tests.Sources;

/// <summary>The file source yields the state the files hold, then a new state with a higher revision per change; files with errors yield none.</summary>
public sealed class FileStateSourceTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("palisade-source-").FullName;
    private readonly ListLoggerFactory loggers = new();
    private readonly CancellationTokenSource stop = new(TimeSpan.FromMinutes(1));
    private readonly FileStateSource source;

    public FileStateSourceTests()
    {
        File.WriteAllText(Path.Combine(dir, "cluster.yaml"), EnforcementTests.Header);
        WritePolicy(8080);
        source = new FileStateSource([dir], TimeSpan.FromMilliseconds(2), TimeSpan.FromMilliseconds(50), loggers.CreateLogger<FileStateSource>(), TimeProvider.System);
    }

    public void Dispose()
    {
        stop.Cancel();
        stop.Dispose();
        Directory.Delete(dir, recursive: true);
    }

    private void WritePolicy(params int[] ports) => File.WriteAllText(Path.Combine(dir, "policy.yaml"), EnforcementTests.AllowPolicy(ports));

    private static async Task<DesiredState> NextAsync(IAsyncEnumerator<DesiredState> states)
    {
        Assert.True(await states.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20)), "the source ended");
        return states.Current;
    }

    private static int[] AllowedPorts(DesiredState state) =>
        [.. state.Policies.Tiers.SelectMany(t => t.Policies).SelectMany(p => p.IngressRules).SelectMany(r => r.Destination.Ports).Select(p => p.First).Order()];

    [Fact]
    public async Task Watch_FirstTheFilesAsTheyAre_ThenOneStatePerChange_WithRisingRevisions()
    {
        var states = source.WatchAsync(stop.Token).GetAsyncEnumerator(stop.Token);
        try
        {
            var first = await NextAsync(states);
            Assert.Equal(1, first.Revision);
            Assert.Null(first.ChangedAt);
            Assert.Equal([8080], AllowedPorts(first));
            Assert.Equal(3, first.Cluster.Workloads.Length);

            WritePolicy(8080, 8081);
            var second = await NextAsync(states);

            Assert.Equal(2, second.Revision);
            Assert.Equal([8080, 8081], AllowedPorts(second));
        }
        finally
        {
            stop.Cancel();
            await DisposeQuietlyAsync(states);
        }
    }

    [Fact]
    public async Task Watch_FilesWithErrors_YieldNoState_SayWhy_AndTheFixedFilesComeNext()
    {
        var states = source.WatchAsync(stop.Token).GetAsyncEnumerator(stop.Token);
        try
        {
            Assert.Equal(1, (await NextAsync(states)).Revision);
            var pending = states.MoveNextAsync().AsTask();

            File.WriteAllText(Path.Combine(dir, "policy.yaml"), "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: broken, namespace: bench}\nspec: {podSelector: 7}\n");
            var sw = Stopwatch.StartNew();
            while (!loggers.Messages.Any(m => m.Message.Contains("rules in force are kept", StringComparison.Ordinal)))
            {
                Assert.True(sw.Elapsed < TimeSpan.FromSeconds(20), "the source did not report the errors");
                await Task.Delay(5);
            }

            Assert.False(pending.IsCompleted, "a state was yielded for files with errors");
            Assert.Contains(loggers.Messages, m => m.Level == LogLevel.Error && m.Message.Contains("policy.yaml", StringComparison.Ordinal));
            WritePolicy(8082);
            Assert.True(await pending.WaitAsync(TimeSpan.FromSeconds(20)));

            Assert.Equal(2, states.Current.Revision);
            Assert.Equal([8082], AllowedPorts(states.Current));
        }
        finally
        {
            stop.Cancel();
            await DisposeQuietlyAsync(states);
        }
    }

    private static async Task DisposeQuietlyAsync(IAsyncEnumerator<DesiredState> states)
    {
        try
        {
            await states.DisposeAsync();
        }
        catch (NotSupportedException)
        {
            // A move still pending when the test stops: the iterator ends with the cancellation.
        }
    }
}
