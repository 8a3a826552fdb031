using System.Diagnostics;

namespace Palisade.Dataplane.Nftables.Tests;

/// <summary>A scratch network namespace for tests that talk to the kernel's nftables; removed afterwards.</summary>
public sealed class KernelFixture : IDisposable
{
    public KernelFixture()
    {
        Name = $"pal-t-{Environment.ProcessId}-{Random.Shared.Next(1000, 9999)}";
        Ip("netns", "add", Name);
    }

    public string Name { get; }

    public void Dispose() => Ip("netns", "del", Name);

    public static string Ip(params string[] args)
    {
        var psi = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd();
        var error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"ip {string.Join(' ', args)}: {error}");
        }

        return output;
    }
}
