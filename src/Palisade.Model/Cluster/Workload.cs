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
