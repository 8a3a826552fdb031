using System.Collections.Immutable;
using System.Text.Json;
using Palisade.Model;

namespace Palisade.Linux.Lab;

/// <summary>
/// What a lab made, as recorded in its state file: the nodes, the pods (namespace, interface, addresses, served ports),
/// the server process and what was skipped. Node agents read the pods' node and interface from it. It lives here, below
/// both, because it is the contract between the lab (which wires pods as a CNI plugin would) and the agents that enforce
/// for them: neither depends on the other.
/// </summary>
public sealed record LabState(ImmutableArray<LabNode> Nodes, ImmutableArray<LabPod> Pods)
{
    /// <summary>Where the lab records its state unless told otherwise (the agent's default too).</summary>
    public const string DefaultPath = "/run/palisade/lab/state.json";

    /// <summary>The process that serves every pod's ports; null when none was started.</summary>
    public int? ServerPid { get; init; }

    /// <summary>Ports served on every pod besides those its containers declare.</summary>
    public ImmutableArray<PortSpec> ExtraPorts { get; init; } = [];

    /// <summary>Workloads and ports the lab left out, with the reason.</summary>
    public ImmutableArray<LabSkip> Skipped { get; init; } = [];

    /// <summary>The pod of a workload, if the lab runs it.</summary>
    public LabPod? FindPod(string workloadId) => Pods.FirstOrDefault(p => string.Equals(p.WorkloadId, workloadId, StringComparison.Ordinal));

    /// <summary>The node a pod runs on.</summary>
    public LabNode? FindNode(string name) => Nodes.FirstOrDefault(n => string.Equals(n.Name, name, StringComparison.Ordinal));

    /// <summary>Reads a state file; null when there is none. A damaged one is an <see cref="InvalidDataException"/> saying what to do.</summary>
    public static LabState? Read(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(path), LabJsonContext.Default.LabState);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"the lab state file {path} is damaged ({e.Message}); 'palisade lab down' removes the lab anyway", e);
        }
    }

    /// <summary>The state as the state file holds it (JSON).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, LabJsonContext.Default.LabState);

    /// <summary>Writes the state file atomically (a reader never sees half of it); the directory is created 0755.</summary>
    public void Write(string path)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (OperatingSystem.IsLinux())
        {
            Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
                UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }
        else
        {
            Directory.CreateDirectory(dir);
        }

        var temp = path + ".tmp";
        File.WriteAllText(temp, ToJson());
        File.Move(temp, path, overwrite: true);
    }
}
