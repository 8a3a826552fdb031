using System.Net;

namespace Palisade.Model.Cluster;

/// <summary>
/// A workload: a Pod, or the pods a controller (Deployment, StatefulSet, ...) makes from its template. Its identity
/// is metadata — namespace, labels, service account — never its addresses, which are only known for live pods.
/// </summary>
public sealed record Workload(string Namespace, string Name, string Kind, LabelSet Labels)
{
    public string ServiceAccount { get; init; } = "default";

    public EquatableArray<IPAddress> Addresses { get; init; } = EquatableArray<IPAddress>.Empty;

    public EquatableArray<ContainerPort> Ports { get; init; } = EquatableArray<ContainerPort>.Empty;

    /// <summary>Pods on the host network share the node's address and are not subject to pod policies.</summary>
    public bool HostNetwork { get; init; }

    public string? Node { get; init; }

    /// <summary>How many pods the workload runs: 1 for a Pod, <c>spec.replicas</c> for controllers, null when it depends on the nodes (DaemonSet).</summary>
    public int? Replicas { get; init; } = 1;

    /// <summary>Whether pods of this workload can talk to each other (more than one replica).</summary>
    public bool HasPeerReplicas => Replicas is null or > 1;

    public SourceRef? Source { get; init; }

    /// <summary><c>namespace/name</c>, how users name workloads on the command line and in output.</summary>
    public string Id => $"{Namespace}/{Name}";

    /// <summary>Resolves a named port for a protocol, as Kubernetes does against the destination pod.</summary>
    public int? ResolveNamedPort(string name, Protocol protocol)
    {
        foreach (var p in Ports)
        {
            if (p.Protocol == protocol && string.Equals(p.Name, name, StringComparison.Ordinal))
            {
                return p.Port;
            }
        }

        return null;
    }

    public override string ToString() => Id;
}
