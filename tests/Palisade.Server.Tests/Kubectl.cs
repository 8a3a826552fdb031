using System.Diagnostics;
using System.Text;

namespace Palisade.Server.Tests;

/// <summary>Runs the real kubectl (/usr/bin/kubectl) against a server's admin.kubeconfig, bounded in time.</summary>
public sealed class Kubectl(string kubeconfig)
{
    /// <summary>The repository root, where examples/ is.</summary>
    public static string Root { get; } = FindRoot();

    public Task<(int Code, string Out, string Err)> RunAsync(params string[] args) => RunWithInputAsync(null, args);

    /// <summary>Runs kubectl with <paramref name="input"/> on its standard input (for <c>-f -</c>).</summary>
    public async Task<(int Code, string Out, string Err)> RunWithInputAsync(string? input, params string[] args)
    {
        using var process = Process.Start(Start(args, input is not null))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
            process.StandardInput.Close();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"kubectl {string.Join(' ', args)} did not finish in 60 s");
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Starts a long-running kubectl (get -w); the caller reads its output and kills it.</summary>
    public Process Start(params string[] args) => Process.Start(Start(args, redirectInput: false))!;

    private ProcessStartInfo Start(string[] args, bool redirectInput)
    {
        var start = new ProcessStartInfo("/usr/bin/kubectl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectInput,
            UseShellExecute = false,
            WorkingDirectory = Root,
            StandardOutputEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add("--kubeconfig");
        start.ArgumentList.Add(kubeconfig);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // kubectl caches discovery and OpenAPI under HOME; each test server is new, so the cache is per run.
        start.Environment["KUBECACHEDIR"] = Path.Combine(Path.GetDirectoryName(kubeconfig)!, "kube-cache");
        return start;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Palisade.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("the repository root (Palisade.sln) is not above the test assembly");
    }
}
