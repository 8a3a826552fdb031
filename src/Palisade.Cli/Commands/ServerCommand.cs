using System.CommandLine;
using System.Net;
using Palisade.Server;

namespace Palisade.Cli.Commands;

/// <summary><c>palisade server</c>: run the API server that kubectl and GitOps tools drive, until SIGTERM.</summary>
internal static class ServerCommand
{
    public static Command Create(CliContext context)
    {
        var data = new Option<string>("--data") { Description = "The server's data directory: its store, its CA and admin.kubeconfig.", Required = true, HelpName = "DIR" };
        var listen = new Option<string>("--listen")
        {
            Description = "The address to listen on, HTTPS only (port 0 takes a free port).",
            DefaultValueFactory = _ => ServerOptions.DefaultListen.ToString(),
            HelpName = "IP:PORT",
        };
        var store = new Option<string>("--store")
        {
            Description = "The store: sqlite (embedded, under --data) or etcd://HOST:PORT.",
            DefaultValueFactory = _ => "sqlite",
            HelpName = "STORE",
        };
        var command = new Command("server", """
            Run the Palisade API server: the Kubernetes API conventions for every kind Palisade reads, so kubectl works.

            The server speaks HTTPS only, with a CA it creates under --data on first start, and answers only requests
            bearing the admin token. Once it listens it writes DIR/admin.kubeconfig (the server URL, the CA, the token;
            rewritten at every start) and prints "ready" on standard error. The CA and the token persist across
            restarts; the server keeps only the token's hash. It runs until SIGTERM or Ctrl-C.

            Examples:
              palisade server --data /var/lib/palisade
              kubectl --kubeconfig /var/lib/palisade/admin.kubeconfig apply -f examples/shop/namespaces.yaml
              kubectl --kubeconfig /var/lib/palisade/admin.kubeconfig apply -R -f examples/shop
              palisade server --data /var/lib/palisade --listen 127.0.0.1:7443 --store etcd://127.0.0.1:2379
            """)
        {
            data, listen, store,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var listenText = parse.GetValue(listen)!;
            if (!IPEndPoint.TryParse(listenText, out var endpoint) || !listenText.Contains(':', StringComparison.Ordinal))
            {
                throw new UsageException($"--listen {listenText}: expected IP:PORT, e.g. 127.0.0.1:6443");
            }

            var storeText = parse.GetValue(store)!;
            if (storeText != "sqlite" && !storeText.StartsWith("etcd://", StringComparison.Ordinal))
            {
                throw new UsageException($"--store {storeText}: expected sqlite or etcd://HOST:PORT");
            }

            var options = new ServerOptions(Path.GetFullPath(parse.GetValue(data)!)) { Listen = endpoint, Store = storeText };
            await using var server = await ApiServer.StartAsync(options, logs: null, cancellationToken).ConfigureAwait(false);
            if (server.IssuedNewToken)
            {
                context.Error.WriteLine($"palisade server: a new admin token is in {server.KubeconfigPath}");
            }

            context.Error.WriteLine($"palisade server: listening on {server.Address}, kubeconfig {server.KubeconfigPath}");
            context.Error.WriteLine("ready");
            context.Error.Flush();
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // SIGTERM or Ctrl-C: the server stops in order as it is disposed.
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
