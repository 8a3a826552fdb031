using System.Net;
using Palisade.Client;
using Palisade.Manifests;
using Palisade.Server;

namespace Palisade.Agent.Tests.Sources;

/// <summary>
/// A real <c>palisade server</c> (in this process, embedded store, HTTPS on a free loopback port) for a test; it can be
/// stopped and started again on the same port and data, as a restarted server would be.
/// </summary>
internal sealed class TestApiServer : IAsyncDisposable
{
    private ApiServer? server;
    private int port;

    private TestApiServer(string data) => Data = data;

    public string Data { get; }

    public string Kubeconfig => Path.Combine(Data, "admin.kubeconfig");

    public static async Task<TestApiServer> StartAsync()
    {
        var test = new TestApiServer(Directory.CreateTempSubdirectory("palisade-api-").FullName);
        await test.StartAgainAsync();
        return test;
    }

    /// <summary>Starts the server (again): same data, same port once it has one.</summary>
    public async Task StartAgainAsync()
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        server = await ApiServer.StartAsync(new ServerOptions(Data) { Listen = new IPEndPoint(IPAddress.Loopback, port) }, null, bound.Token);
        port = server.Address.Port;
    }

    public async Task StopAsync()
    {
        if (server is not null)
        {
            await server.DisposeAsync();
            server = null;
        }
    }

    /// <summary>Creates or replaces the objects of a YAML text through the API; returns the revision of the last write.</summary>
    public async Task<long> ApplyAsync(string yaml)
    {
        using var client = ApiClient.FromKubeconfig(Kubeconfig);
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var applier = await ObjectApplier.CreateAsync(client, bound.Token);
        return long.Parse(await applier.ApplyAsync(ManifestJson.Read(new StringReader(yaml), "test.yaml").Select(o => o.Object), bound.Token), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Creates the objects of manifest files the server serves (Services and ConfigMaps are not Palisade's kinds).</summary>
    public async Task ApplyFilesAsync(params string[] paths)
    {
        using var client = ApiClient.FromKubeconfig(Kubeconfig);
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var applier = await ObjectApplier.CreateAsync(client, bound.Token);
        await applier.ApplyAsync(ManifestJson.ReadPaths(paths).Where(o => applier.Serves(o.ApiVersion, o.Kind)).Select(o => o.Object), bound.Token);
    }

    public async Task DeleteAsync(string path)
    {
        using var client = ApiClient.FromKubeconfig(Kubeconfig);
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await client.SendAsync(HttpMethod.Delete, path, "{}", bound.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Directory.Delete(Data, recursive: true);
    }
}
