using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Palisade.Store.Tests;

/// <summary>
/// A real etcd (Debian's etcd-server) started for a test class on free loopback ports, with its data in a temporary
/// directory (in memory under /dev/shm when there is one), and stopped after it.
/// </summary>
public sealed class EtcdServer : IAsyncLifetime, IDisposable
{
    private readonly TempDirectory _data;
    private Process? _process;

    public EtcdServer()
        : this(Directory.Exists("/dev/shm") ? "/dev/shm" : null)
    {
    }

    /// <summary>An etcd keeping its data under <paramref name="dataRoot"/> (the bench puts it beside SQLite's).</summary>
    internal EtcdServer(string? dataRoot) => _data = new TempDirectory(dataRoot);

    /// <summary>The endpoint a store connects to: etcd://127.0.0.1:PORT.</summary>
    public string Endpoint { get; private set; } = "";

    private int _client;
    private int _peer;

    public Task InitializeAsync()
    {
        (_client, _peer) = (FreePort(), FreePort());
        return StartAsync();
    }

    /// <summary>Kills etcd with SIGKILL (no chance to flush anything) and starts it again on the same ports and data.</summary>
    public async Task KillAndRestartAsync(TimeSpan down)
    {
        _process!.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        await Task.Delay(down);
        await StartAsync();
    }

    private async Task StartAsync()
    {
        var (client, peer) = (_client, _peer);
        var start = new ProcessStartInfo(FindEtcd())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "--name", "test", "--data-dir", _data.Path,
            "--listen-client-urls", $"http://127.0.0.1:{client}", "--advertise-client-urls", $"http://127.0.0.1:{client}",
            "--listen-peer-urls", $"http://127.0.0.1:{peer}", "--initial-advertise-peer-urls", $"http://127.0.0.1:{peer}",
            "--initial-cluster", $"test=http://127.0.0.1:{peer}", "--logger", "zap", "--log-level", "error",
        })
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start)!;
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        _process.OutputDataReceived += (_, e) => output.Enqueue(e.Data ?? "");
        _process.ErrorDataReceived += (_, e) => output.Enqueue(e.Data ?? "");
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        Endpoint = $"etcd://127.0.0.1:{client}";

        // Ready once a read answers; bounded in time.
        await using var store = EtcdStore.Connect(Endpoint);
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var attempt = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await store.GetRevisionAsync(attempt.Token);
                return;
            }
            catch (Exception e) when (e is Grpc.Core.RpcException or OperationCanceledException && deadline.Elapsed < TimeSpan.FromSeconds(20) && !_process.HasExited)
            {
                await Task.Delay(50);
            }
            catch (Exception e)
            {
                throw new InvalidOperationException($"etcd did not start on {Endpoint}: {string.Join('\n', output)}", e);
            }
        }
    }

    public async Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        Dispose();
    }

    public void Dispose()
    {
        _process?.Dispose();
        _data.Dispose();
    }

    private static string FindEtcd()
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append("/usr/bin"))
        {
            var path = Path.Combine(directory, "etcd");
            if (File.Exists(path))
            {
                return path;
            }
        }

        throw new InvalidOperationException("etcd is not installed: the etcd backend's tests start one (apt-get install etcd-server; .ci/run does)");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
