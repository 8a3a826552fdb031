using System.Text;
using Microsoft.Extensions.Logging;
using Palisade.Agent.Sources;
using Palisade.Agent.Tests.Fakes;
using Palisade.Client;
using Palisade.Store;

namespace Palisade.Agent.Tests.Sources;

/// <summary>
/// The agent's source on a real API server: the server's objects first, then a state per change at the server's
/// revision; through a server restart and a compaction it keeps the last state and resumes, missing no change.
/// </summary>
public sealed class ServerStateSourceTests : IAsyncLifetime, IDisposable
{
    private const string Namespace = "apiVersion: v1\nkind: Namespace\nmetadata: {name: bench}\n---\n";

    private readonly ListLoggerFactory loggers = new();
    private readonly CancellationTokenSource stop = new(TimeSpan.FromMinutes(2));
    private TestApiServer server = null!;

    public async Task InitializeAsync()
    {
        server = await TestApiServer.StartAsync();
        await server.ApplyAsync(Namespace + EnforcementTests.Header + "\n---\n" + EnforcementTests.AllowPolicy(8080));
    }

    public async Task DisposeAsync()
    {
        await stop.CancelAsync();
        await server.DisposeAsync();
    }

    public void Dispose()
    {
        stop.Dispose();
        loggers.Dispose();
    }

    private ServerStateSource Source() =>
        new(ApiClient.FromKubeconfig(server.Kubeconfig), loggers.CreateLogger<ServerStateSource>(), TimeProvider.System);

    private static async Task<DesiredState> NextAsync(IAsyncEnumerator<DesiredState> states)
    {
        Assert.True(await states.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30)), "the source ended");
        return states.Current;
    }

    /// <summary>The next state whose allowed ports are <paramref name="ports"/> (relists may repeat a state first).</summary>
    private static async Task<DesiredState> NextWithAsync(IAsyncEnumerator<DesiredState> states, params IReadOnlyList<int> ports)
    {
        for (var i = 0; i < 10; i++)
        {
            var state = await NextAsync(states);
            if (AllowedPorts(state).SequenceEqual(ports))
            {
                return state;
            }
        }

        throw new InvalidOperationException($"no state allowed exactly {string.Join(',', ports)}");
    }

    private static int[] AllowedPorts(DesiredState state) =>
        [.. state.Policies.Tiers.SelectMany(t => t.Policies).SelectMany(p => p.IngressRules).SelectMany(r => r.Destination.Ports).Select(p => p.First).Order()];

    [Fact]
    public async Task Watch_FirstTheServersObjects_ThenAStatePerChange_AtTheServersRevision()
    {
        using var source = Source();
        await using var states = source.WatchAsync(stop.Token).GetAsyncEnumerator(stop.Token);

        var first = await NextAsync(states);
        Assert.Equal([8080], AllowedPorts(first));
        Assert.Equal(["bench/client", "bench/other", "bench/server"], first.Cluster.Workloads.Select(w => w.Id).Order());
        Assert.Null(first.ChangedAt);

        var written = await server.ApplyAsync(EnforcementTests.AllowPolicy(8080, 8081));
        var second = await NextWithAsync(states, 8080, 8081);
        Assert.Equal(written, second.Revision);
        Assert.NotNull(second.ChangedAt);

        await server.DeleteAsync("/apis/networking.k8s.io/v1/namespaces/bench/networkpolicies/allow-client");
        var third = await NextWithAsync(states, []);
        Assert.True(third.Revision > second.Revision);
        Assert.Equal(["default-deny"], third.Policies.Tiers.SelectMany(t => t.Policies).Select(p => p.Name.Split('/')[^1]));
    }

    [Fact]
    public async Task ServerRestart_KeepsTheLastState_ThenResumesAndMissesNoChange()
    {
        using var source = Source();
        await using var states = source.WatchAsync(stop.Token).GetAsyncEnumerator(stop.Token);
        Assert.Equal(new[] { 8080 }, AllowedPorts(await NextAsync(states)));

        await server.StopAsync();
        var pending = states.MoveNextAsync().AsTask();
        await Task.Delay(500);
        Assert.False(pending.IsCompleted, "the source yielded a state while the server was down");
        Assert.Contains("was lost", loggers.Text, StringComparison.Ordinal);

        await server.StartAgainAsync();
        var written = await server.ApplyAsync(EnforcementTests.AllowPolicy(8082));
        Assert.True(await pending.WaitAsync(TimeSpan.FromSeconds(30)));
        var state = AllowedPorts(states.Current).SequenceEqual([8082]) ? states.Current : await NextWithAsync(states, 8082);
        Assert.Equal(written, state.Revision);
    }

    [Fact]
    public async Task CompactedPastTheWatch_ListsAgain_AndCarriesOn()
    {
        using var source = Source();
        await using var states = source.WatchAsync(stop.Token).GetAsyncEnumerator(stop.Token);
        var first = await NextAsync(states);

        // While the server is down its history moves on and is compacted past where the source's watches stand.
        await server.StopAsync();
        await using (var store = SqliteStore.Open(server.Data))
        {
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await store.CreateAsync("/test/unwatched", Encoding.UTF8.GetBytes("{}"), bound.Token);
            await store.CompactAsync(await store.GetRevisionAsync(bound.Token), bound.Token);
        }

        await server.StartAgainAsync();
        var relisted = await NextAsync(states);
        Assert.Equal([8080], AllowedPorts(relisted));
        Assert.True(relisted.Revision > first.Revision);
        Assert.Contains("listing again", loggers.Text, StringComparison.Ordinal);

        await server.ApplyAsync(EnforcementTests.AllowPolicy(8083));
        Assert.Equal(new[] { 8083 }, AllowedPorts(await NextWithAsync(states, 8083)));
    }
}
