using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Palisade.Server.Api;
using Palisade.Server.Http;
using Palisade.Server.Registry;
using Palisade.Server.Security;
using Palisade.Store;

namespace Palisade.Server;

/// <summary>
/// The Palisade API server: Kestrel over HTTPS speaking the Kubernetes API conventions for every kind Palisade reads,
/// on the revisioned store. Started, it has written <c>admin.kubeconfig</c> into its data directory.
/// </summary>
public sealed class ApiServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly IRevisionedStore store;
    private readonly ServerCredentials credentials;

    private ApiServer(WebApplication app, IRevisionedStore store, ServerCredentials credentials, Uri address, string kubeconfig)
    {
        this.app = app;
        this.store = store;
        this.credentials = credentials;
        Address = address;
        KubeconfigPath = kubeconfig;
    }

    /// <summary>The URL clients reach the server at (with the port it took when asked for port 0).</summary>
    public Uri Address { get; }

    /// <summary>The kubeconfig for the admin: server URL, CA and token.</summary>
    public string KubeconfigPath { get; }

    /// <summary>Whether this start made a new admin token (the first start, or the old kubeconfig was gone).</summary>
    public bool IssuedNewToken => credentials.IssuedNewToken;

    /// <summary>The revisioned store the server stands on (tests compact it).</summary>
    internal IRevisionedStore Store => store;

    /// <summary>Opens the store, loads or makes the CA and token, starts listening, and writes <c>admin.kubeconfig</c>.</summary>
    public static async Task<ApiServer> StartAsync(ServerOptions options, ILoggerProvider? logs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        Directory.CreateDirectory(options.DataDirectory);
        var time = TimeProvider.System;
        var credentials = ServerCredentials.Load(options.DataDirectory, [options.Listen.Address], time);
        IRevisionedStore? store = null;
        try
        {
            store = StoreLocation.Open(options.Store, options.DataDirectory);
            await store.GetRevisionAsync(cancellationToken).ConfigureAwait(false);
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            if (logs is not null)
            {
                builder.Logging.AddProvider(logs);
            }

            builder.WebHost.ConfigureKestrel(kestrel =>
            {
                kestrel.AddServerHeader = false;
                kestrel.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes;
                kestrel.Listen(options.Listen, listen =>
                {
                    listen.Protocols = HttpProtocols.Http1AndHttp2;
                    listen.UseHttps(credentials.Serving);
                });
            });
            var catalog = ResourceCatalog.Default;
            var services = builder.Services;
            services.AddSingleton(time);
            services.AddSingleton(store);
            services.AddSingleton(catalog);
            services.AddSingleton(options.Limits);
            services.AddSingleton<IAuthenticator>(new TokenAuthenticator([credentials.AdminTokenHash]));
            services.AddSingleton<IAuthorizer, AdminOnlyAuthorizer>();
            services.AddSingleton<IAuditSink, LogAuditSink>();
            services.AddSingleton<Discovery>();
            services.AddSingleton<OpenApiDocuments>();
            services.AddSingleton<ObjectValidator>();
            services.AddSingleton<ObjectStrategy>();
            services.AddSingleton<ResourceRegistry>();
            services.AddSingleton<TableConverter>();
            services.AddSingleton<RequestBodies>();
            services.AddSingleton(sp => new WatchStream(sp.GetRequiredService<ResourceRegistry>(), sp.GetRequiredService<TableConverter>(), options.BookmarkInterval, options.MaxWatchDuration));
            services.AddSingleton<ResourceHandler>();
            services.AddSingleton<RequestPipeline>();
            var app = builder.Build();
            var pipeline = app.Services.GetRequiredService<RequestPipeline>();
            app.Run(pipeline.HandleAsync);
            await app.StartAsync(cancellationToken).ConfigureAwait(false);

            var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            var port = new Uri(bound).Port;
            var host = options.Listen.Address switch
            {
                var a when a.Equals(IPAddress.Any) => IPAddress.Loopback,
                var a when a.Equals(IPAddress.IPv6Any) => IPAddress.IPv6Loopback,
                var a => a,
            };
            var address = new UriBuilder("https", host.ToString(), port).Uri;
            var kubeconfig = Path.Combine(options.DataDirectory, AdminKubeconfig.FileName);
            AdminKubeconfig.Write(kubeconfig, address, credentials.Ca.ExportCertificatePem(), credentials.AdminToken);
            return new ApiServer(app, store, credentials, address, kubeconfig);
        }
        catch
        {
            if (store is not null)
            {
                await store.DisposeAsync().ConfigureAwait(false);
            }

            credentials.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        using (var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            await app.StopAsync(stopping.Token).ConfigureAwait(false);
        }

        await app.DisposeAsync().ConfigureAwait(false);
        await store.DisposeAsync().ConfigureAwait(false);
        credentials.Dispose();
    }
}
