using System.Collections.Immutable;
using System.Net;
using Palisade.Model;

namespace Palisade.Linux.Lab;

/// <summary>A lab pod: a network namespace with the workload's addresses behind a veth whose other end is on its node.</summary>
/// <param name="WorkloadId">The workload, <c>namespace/name</c>.</param>
/// <param name="Node">The node the pod runs on (<c>node-1</c>, ...).</param>
/// <param name="Netns">The pod's network namespace (<c>pal-p-</c> and 12 hex digits of the id's SHA-1).</param>
/// <param name="Interface">The host-side veth in the node's namespace (<c>pal</c> and 11 hex digits of the id's SHA-1).</param>
/// <param name="Ips">The pod's addresses, from its manifest.</param>
/// <param name="Ports">The ports the lab server listens on in the pod: the declared ones and the extra ones it can serve.</param>
public sealed record LabPod(string WorkloadId, string Node, string Netns, string Interface, ImmutableArray<IPAddress> Ips, ImmutableArray<PortSpec> Ports);
