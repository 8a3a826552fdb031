using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using Palisade.Server.Security;
using Palisade.Store.Tests;

namespace Palisade.Server.Tests;

/// <summary>A real server on a free loopback port with its data in a temporary directory, for one test class.</summary>
public class ServerFixture : IAsyncLifetime
{
    private readonly TempDirectory data = new();

    public ApiServer Server { get; private set; } = null!;

    public string DataDirectory => data.Path;

    public Kubectl Kubectl => new(Server.KubeconfigPath);

    /// <summary>The store the server opens: null for the embedded SQLite store.</summary>
    protected virtual string? StoreLocation => null;

    public virtual async Task InitializeAsync() => Server = await StartAsync(Options());

    public virtual async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        data.Dispose();
    }

    public ServerOptions Options() => new(data.Path)
    {
        Listen = new IPEndPoint(IPAddress.Loopback, 0),
        Store = StoreLocation,
        BookmarkInterval = TimeSpan.FromMilliseconds(200),
    };

    public static Task<ApiServer> StartAsync(ServerOptions options) => ApiServer.StartAsync(options, logs: null, CancellationToken.None);

    /// <summary>An HTTP client that trusts the server's CA, with the admin token unless told otherwise.</summary>
    public HttpClient Client(string? token = "admin") => ClientFor(Server, token);

    public static HttpClient ClientFor(ApiServer server, string? token = "admin")
    {
        var ca = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(Path.GetDirectoryName(server.KubeconfigPath)!, "pki", "ca.crt"));
        var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) =>
            {
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(ca);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return certificate is not null && chain.Build(certificate);
            },
        };
        var client = new HttpClient(handler) { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(30) };
        var value = token == "admin" ? AdminKubeconfig.ReadToken(server.KubeconfigPath) : token;
        if (value is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", value);
        }

        return client;
    }
}
