using System.Diagnostics;

namespace Palisade.Lab.Tests;

/// <summary>
/// Commands that need the kernel say what to install and exit 2 before they touch anything, when the tools are not
/// on PATH (the CLI runs as a process with a PATH holding none of them; nothing is uninstalled).
/// </summary>
[Collection(OneLabAtATime.Name)]
public sealed class KernelPreflightCommandTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("palisade-preflight-").FullName;

    public KernelPreflightCommandTests() => File.WriteAllText(Path.Combine(dir, "pods.yaml"), LabTestSupport.FourPods);

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private (int Code, string Err) RunWithoutTools(params string[] args)
    {
        var psi = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "/usr/share/dotnet/dotnet")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        foreach (var a in (string[])["exec", Path.Combine(AppContext.BaseDirectory, "palisade.dll"), .. args])
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["PATH"] = dir;
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        _ = p.StandardOutput.ReadToEnd();
        Assert.True(p.WaitForExit(60_000), "the command did not end");
        return (p.ExitCode, stderr.Result);
    }

    [Theory]
    [InlineData("lab run", "apt-get install -y iproute2 conntrack", new[] { "lab", "run", "-f", "pods.yaml" })]
    [InlineData("lab up", "apt-get install -y iproute2", new[] { "lab", "up", "-f", "pods.yaml" })]
    [InlineData("agent", "apt-get install -y iproute2 conntrack", new[] { "agent", "--node", "node-1", "--netns", "pal-node-1", "-f", "pods.yaml" })]
    [InlineData("bench dataplane", "apt-get install -y iproute2 nftables conntrack", new[] { "bench", "dataplane" })]
    public void KernelCommand_ToolsNotOnPath_SaysWhatToInstall_Exit2(string command, string install, string[] args)
    {
        var (code, err) = RunWithoutTools([.. args.Select(a => a == "pods.yaml" ? Path.Combine(dir, a) : a)]);

        Assert.True(code == 2, $"exit {code}: {err}");
        Assert.Contains($"error: palisade {command} cannot run here", err, StringComparison.Ordinal);
        Assert.Contains(install, err, StringComparison.Ordinal);
        Assert.DoesNotContain("internal error", err, StringComparison.Ordinal);
    }
}
