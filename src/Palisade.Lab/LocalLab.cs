using System.Collections.Immutable;
using System.Net.Sockets;
using Palisade.Model.Cluster;

namespace Palisade.Lab;

/// <summary>
/// Workloads as Linux network namespaces on this machine, so the whole system runs without a cluster: brings a lab up
/// from a cluster snapshot, reports it, and tears it down — also after a crash, from whatever it finds.
/// </summary>
/// <param name="statePath">Where the lab records what it made (node agents read it).</param>
public sealed class LocalLab(string statePath = LabState.DefaultPath)
{
    /// <summary>Where the lab records what it made.</summary>
    public string StatePath { get; } = Path.GetFullPath(statePath);

    /// <summary>Whether this kernel has SCTP (pods' SCTP ports are served only then).</summary>
    public static bool SctpSupported { get; } = ProbeSctp();

    /// <summary>
    /// Creates a namespace per node and per pod, wires them, writes the state file and starts the server; on any
    /// failure removes everything again and throws. Refuses when a lab is up, unless <see cref="LabOptions.Replace"/>.
    /// </summary>
    public LabState Up(ClusterSnapshot cluster, LabOptions options)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(options);
        var plan = LabPlanner.Plan(cluster, options, SctpSupported, LabWiring.Ipv6Supported);
        var existing = ExistingNamespaces();
        if (existing.Count > 0 && !options.Replace)
        {
            throw new LabException($"a lab is already up ({existing.Count} namespaces); run 'palisade lab down' first, or pass --replace");
        }

        // Also clears what a crashed lab may have left without namespaces: a state file, a server.
        Down();

        try
        {
            LabWiring.Build(plan);
            plan.Write(StatePath);
            if (options.ServerCommand is { } command)
            {
                var pid = ServerProcess.Start(command, StatePath, options.ServerReadyTimeout);
                plan = plan with { ServerPid = pid };
                plan.Write(StatePath);
            }

            return plan;
        }
        catch
        {
            Down();
            throw;
        }
    }

    /// <summary>
    /// Removes everything a lab makes: its server processes, every <c>pal-node-*</c>, <c>pal-p-*</c> and
    /// <c>pal-fabric</c> namespace (from the state file and from what exists), and the state file. Idempotent.
    /// </summary>
    public LabTeardown Down()
    {
        LabState? state = null;
        try
        {
            state = LabState.Read(StatePath);
        }
        catch (InvalidDataException)
        {
            // A damaged state file: what exists is found below all the same.
        }

        var killed = new SortedSet<int>();
        if (state?.ServerPid is { } pid && ServerProcess.IsLabServer(pid) && ServerProcess.Kill(pid))
        {
            killed.Add(pid);
        }

        foreach (var stray in ServerProcess.FindServers(StatePath))
        {
            if (ServerProcess.Kill(stray))
            {
                killed.Add(stray);
            }
        }

        var names = new SortedSet<string>(ExistingNamespaces(), StringComparer.Ordinal);
        if (state is not null)
        {
            foreach (var name in state.Nodes.Select(n => n.Netns).Concat(state.Pods.Select(p => p.Netns)).Append(LabNames.Fabric))
            {
                if (File.Exists(Path.Combine(NetnsDirectory, name)))
                {
                    names.Add(name);
                }
            }
        }

        IpBatch.Run([.. names.Select(n => $"netns del {n}")], force: true);
        var left = ExistingNamespaces();
        if (left.Count > 0)
        {
            throw new LabException($"could not remove {left.Count} namespaces ({string.Join(", ", left.Take(5))}); is something still using them?");
        }

        // File.Delete throws when the directory is missing (a machine where no lab ever ran): check first.
        var removed = File.Exists(StatePath);
        foreach (var file in new[] { StatePath, ServerProcess.ReadyPath(StatePath) }.Where(File.Exists))
        {
            File.Delete(file);
        }

        return new LabTeardown([.. names], [.. killed], removed);
    }

    /// <summary>The lab's state as recorded; null when no lab is up.</summary>
    public LabState? Status()
    {
        try
        {
            return LabState.Read(StatePath);
        }
        catch (InvalidDataException e)
        {
            throw new LabException(e.Message, e);
        }
    }

    /// <summary>Whether the lab's server process is running.</summary>
    public static bool ServerRunning(LabState state) =>
        state is { ServerPid: { } pid } && ServerProcess.IsLabServer(pid);

    /// <summary>The lab namespaces that exist now (whoever made them).</summary>
    public static IReadOnlyList<string> ExistingNamespaces() =>
        Directory.Exists(NetnsDirectory)
            ? [.. Directory.EnumerateFileSystemEntries(NetnsDirectory).Select(Path.GetFileName).OfType<string>().Where(LabNames.IsLabNetns).Order(StringComparer.Ordinal)]
            : [];

    private const string NetnsDirectory = "/var/run/netns";

    private static bool ProbeSctp()
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, (ProtocolType)132);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
