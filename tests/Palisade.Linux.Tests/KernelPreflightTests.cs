namespace Palisade.Linux.Tests;

/// <summary>
/// The preflight finds what a kernel command lacks and names the packages to install, from the PATH and the library
/// probe it is given (so the test needs nothing uninstalled).
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class KernelPreflightTests : IDisposable
{
    private readonly string tools = Directory.CreateTempSubdirectory("palisade-path-").FullName;

    public void Dispose() => Directory.Delete(tools, recursive: true);

    /// <summary>A PATH directory holding executables of these names (and a non-executable 'nft' where asked).</summary>
    private string PathWith(params string[] names)
    {
        foreach (var name in names)
        {
            var file = Path.Combine(tools, name);
            File.WriteAllText(file, "#!/bin/sh\n");
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return $"/nonexistent:{tools}";
    }

    [Fact]
    public void Problem_EverythingThere_IsNull()
    {
        var preflight = new KernelPreflight(isLinux: true, isRoot: true, PathWith("ip", "nft", "conntrack"), _ => true);

        Assert.Null(preflight.Problem("palisade bench dataplane", KernelNeeds.Root | KernelNeeds.Ip | KernelNeeds.Nft | KernelNeeds.Conntrack | KernelNeeds.Libnftables));
    }

    [Fact]
    public void Problem_NoToolsNoLibrary_NamesEachAndTheExactInstallLine()
    {
        string? probed = null;
        var preflight = new KernelPreflight(isLinux: true, isRoot: true, PathWith(), name => { probed = name; return false; });

        var problem = preflight.Problem("palisade lab run", KernelNeeds.Agent | KernelNeeds.Nft);

        Assert.NotNull(problem);
        Assert.StartsWith("palisade lab run cannot run here", problem, StringComparison.Ordinal);
        Assert.Contains("- ip (", problem, StringComparison.Ordinal);
        Assert.Contains("- nft (", problem, StringComparison.Ordinal);
        Assert.Contains("- conntrack (", problem, StringComparison.Ordinal);
        Assert.Contains("- libnftables.so.1 (", problem, StringComparison.Ordinal);
        Assert.Contains("apt-get install -y iproute2 nftables conntrack libnftables1", problem, StringComparison.Ordinal);
        Assert.Contains("dnf install -y iproute nftables conntrack-tools", problem, StringComparison.Ordinal);
        Assert.DoesNotContain("root", problem, StringComparison.Ordinal);
        Assert.Equal(KernelPreflight.LibnftablesName, probed);
    }

    [Fact]
    public void Problem_OnlyWhatTheCommandNeedsIsChecked()
    {
        var preflight = new KernelPreflight(isLinux: true, isRoot: true, PathWith("ip"), _ => false);

        Assert.Null(preflight.Problem("palisade lab up", KernelNeeds.Root | KernelNeeds.Ip));
        var problem = preflight.Problem("palisade agent", KernelNeeds.Agent);
        Assert.Contains("apt-get install -y conntrack libnftables1", problem, StringComparison.Ordinal);
        Assert.DoesNotContain("- ip", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Problem_NotRoot_SaysRunAsRoot_WithNoPackageToInstall()
    {
        var preflight = new KernelPreflight(isLinux: true, isRoot: false, PathWith("ip", "conntrack"), _ => true);

        var problem = preflight.Problem("palisade lab down", KernelNeeds.Root | KernelNeeds.Ip);

        Assert.Contains("root: run it as root (sudo palisade lab down ...)", problem, StringComparison.Ordinal);
        Assert.DoesNotContain("install", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Problem_AFileNamedLikeTheToolButNotExecutable_DoesNotCount()
    {
        var path = PathWith();
        File.WriteAllText(Path.Combine(tools, "conntrack"), "not a program");
        File.SetUnixFileMode(Path.Combine(tools, "conntrack"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var preflight = new KernelPreflight(isLinux: true, isRoot: true, path, _ => true);

        Assert.Contains("- conntrack (", preflight.Problem("palisade agent", KernelNeeds.Conntrack), StringComparison.Ordinal);
    }

    [Fact]
    public void Problem_NotLinux_SaysSo()
    {
        var preflight = new KernelPreflight(isLinux: false, isRoot: true, PathWith("ip"), _ => true);

        Assert.Contains("needs Linux", preflight.Problem("palisade agent", KernelNeeds.Agent), StringComparison.Ordinal);
    }

    [Fact]
    public void ForThisProcess_OnThisMachine_FindsTheInstalledToolsAndLibrary()
    {
        // The test machine has the kernel tools (the kernel tests need them): the real probes find them.
        Assert.Null(KernelPreflight.ForThisProcess().Problem("palisade lab run", KernelNeeds.Agent | KernelNeeds.Nft));
    }
}
