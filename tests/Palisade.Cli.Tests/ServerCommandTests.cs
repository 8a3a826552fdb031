using System.Diagnostics;

namespace Palisade.Cli.Tests;

/// <summary><c>palisade server</c> as scripts run it: a process that prints "ready" once admin.kubeconfig works, and stops on SIGTERM.</summary>
public sealed class ServerCommandTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("palisade-server-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public async Task Server_PrintsReadyWithAWorkingKubeconfig_AndExits0OnSigterm()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "palisade.dll"), "server", "--data", dir, "--listen", "127.0.0.1:0" })
        {
            start.ArgumentList.Add(arg);
        }

        using var server = Process.Start(start)!;
        try
        {
            var stderr = new List<string>();
            using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
            {
                while (await server.StandardError.ReadLineAsync(timeout.Token) is { } line)
                {
                    stderr.Add(line);
                    if (line == "ready")
                    {
                        break;
                    }
                }
            }

            Assert.True(stderr.LastOrDefault() == "ready", string.Join('\n', stderr));
            var kubeconfig = Path.Combine(dir, "admin.kubeconfig");
            var (code, output) = await RunAsync("/usr/bin/kubectl", "--kubeconfig", kubeconfig, "get", "namespaces", "-o", "name");
            Assert.True(code == 0, output);

            var (killed, _) = await RunAsync("kill", "-TERM", server.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(0, killed);
            using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await server.WaitForExitAsync(exit.Token);
            Assert.Equal(0, server.ExitCode);
        }
        finally
        {
            if (!server.HasExited)
            {
                server.Kill(entireProcessTree: true);
            }
        }
    }

    [Fact]
    public void Server_WithAListenAddressThatIsNoAddress_IsBadInput()
    {
        var result = CliRunner.Run("server", "--data", dir, "--listen", "localhost");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--listen localhost: expected IP:PORT", result.Err, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Output)> RunAsync(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await error);
    }
}
