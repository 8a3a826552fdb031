using System.Runtime.InteropServices;

namespace Palisade.Linux;

/// <summary>
/// Checks, before a command touches the kernel, that this machine has what it needs (root, tools on PATH, libnftables)
/// and says exactly what to install: a missing tool would otherwise show as a timeout or an internal error much later.
/// </summary>
/// <param name="isLinux">Whether this is Linux at all.</param>
/// <param name="isRoot">Whether the process runs as root.</param>
/// <param name="path">The PATH the tools are looked up on.</param>
/// <param name="libraryLoads">Whether a native library of that name loads.</param>
public sealed partial class KernelPreflight(bool isLinux, bool isRoot, string? path, Func<string, bool> libraryLoads)
{
    /// <summary>The name the data plane loads libnftables by.</summary>
    public const string LibnftablesName = "libnftables.so.1";

    private static readonly (KernelNeeds Need, string Tool, string Debian, string Fedora, string What)[] Tools =
    [
        (KernelNeeds.Ip, "ip", "iproute2", "iproute", "the ip tool, for network namespaces"),
        (KernelNeeds.Nft, "nft", "nftables", "nftables", "the nft tool"),
        (KernelNeeds.Conntrack, "conntrack", "conntrack", "conntrack-tools", "the conntrack tool, to cut revoked connections"),
    ];

    /// <summary>The checker for this process: its user, its PATH, the libraries the loader finds.</summary>
    public static KernelPreflight ForThisProcess() => new(
        OperatingSystem.IsLinux(),
        OperatingSystem.IsLinux() && geteuid() == 0,
        Environment.GetEnvironmentVariable("PATH"),
        name =>
        {
            if (!NativeLibrary.TryLoad(name, out var handle))
            {
                return false;
            }

            NativeLibrary.Free(handle);
            return true;
        });

    /// <summary>Null when the machine has everything <paramref name="command"/> needs; else what lacks and how to install it.</summary>
    public string? Problem(string command, KernelNeeds needs)
    {
        if (!isLinux)
        {
            return $"{command} needs Linux (network namespaces, nftables and conntrack)";
        }

        var lacks = new List<string>();
        var debian = new List<string>();
        var fedora = new List<string>();
        if (needs.HasFlag(KernelNeeds.Root) && !isRoot)
        {
            lacks.Add($"root: run it as root (sudo {command} ...)");
        }

        foreach (var (need, tool, deb, fed, what) in Tools)
        {
            if (needs.HasFlag(need) && !OnPath(tool))
            {
                lacks.Add($"{tool} ({what}): not found on PATH");
                debian.Add(deb);
                fedora.Add(fed);
            }
        }

        if (needs.HasFlag(KernelNeeds.Libnftables) && !libraryLoads(LibnftablesName))
        {
            lacks.Add($"{LibnftablesName} (libnftables, the library Palisade writes nftables rules through): not found by the loader");
            debian.Add("libnftables1");
            fedora.Add("nftables");
        }

        if (lacks.Count == 0)
        {
            return null;
        }

        var message = $"{command} cannot run here; this machine lacks:\n  - {string.Join("\n  - ", lacks)}";
        if (debian.Count > 0)
        {
            message += $"\nInstall with: apt-get install -y {string.Join(' ', debian.Distinct())}  (Fedora: dnf install -y {string.Join(' ', fedora.Distinct())})";
        }

        return message;
    }

    /// <summary>Whether an executable of that name is in one of PATH's directories.</summary>
    private bool OnPath(string tool)
    {
        foreach (var dir in (path ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var file = Path.Combine(dir, tool);
            if (File.Exists(file) && (!OperatingSystem.IsLinux() || (File.GetUnixFileMode(file) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0))
            {
                return true;
            }
        }

        return false;
    }

    [LibraryImport("libc")]
    private static partial uint geteuid();
}
