using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using Palisade.Model;
using Palisade.Model.Cluster;

namespace Palisade.Lab;

/// <summary>
/// Decides what a lab is made of, without touching the kernel: which workloads become pods (those with an address and
/// not on the host network), on which node (round-robin in workload-id order), named how, serving which ports.
/// </summary>
internal static class LabPlanner
{
    public const int MaxNodes = 254;

    public static LabState Plan(ClusterSnapshot cluster, LabOptions options, bool sctpSupported, bool ipv6Supported)
    {
        if (options.Nodes is < 1 or > MaxNodes)
        {
            throw new LabException($"--nodes {options.Nodes}: a lab has 1 to {MaxNodes} nodes");
        }

        var nodes = Enumerable.Range(1, options.Nodes)
            .Select(i => new LabNode(LabNames.NodeName(i), LabNames.NodeNetns(i), LabNames.NodeAddress(i)))
            .ToImmutableArray();
        var skipped = ImmutableArray.CreateBuilder<LabSkip>();
        var pods = ImmutableArray.CreateBuilder<LabPod>();
        var owners = new Dictionary<IPAddress, string>();
        var netnsNames = new Dictionary<string, string>(StringComparer.Ordinal);
        var extra = options.ExtraPorts.Distinct().ToList();
        foreach (var workload in cluster.Workloads.OrderBy(w => w.Id, StringComparer.Ordinal))
        {
            if (workload.HostNetwork)
            {
                skipped.Add(new(workload.Id, "on the host network: it shares its node's address, not a pod of its own"));
                continue;
            }

            var ips = new List<IPAddress>();
            foreach (var ip in workload.Addresses)
            {
                var address = ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip;
                if (address.AddressFamily == AddressFamily.InterNetworkV6 && !ipv6Supported)
                {
                    skipped.Add(new($"{workload.Id} {address}", "this kernel has no IPv6"));
                }
                else if (owners.TryGetValue(address, out var owner))
                {
                    skipped.Add(new($"{workload.Id} {address}", $"the address is {owner}'s already"));
                }
                else
                {
                    owners[address] = workload.Id;
                    ips.Add(address);
                }
            }

            if (ips.Count == 0)
            {
                // Addresses the manifests do not give would be unknown to the agents' rules, so the lab invents none.
                skipped.Add(new(workload.Id, workload.Addresses.IsEmpty
                    ? "no pod IP in the manifest (status.podIP or status.podIPs); the lab only runs pods with addresses"
                    : "none of its addresses can be used"));
                continue;
            }

            var netns = LabNames.PodNetns(workload.Id);
            if (netnsNames.TryGetValue(netns, out var clash))
            {
                throw new LabException($"{workload.Id} and {clash} hash to the same namespace name {netns}; rename one of them");
            }

            netnsNames[netns] = workload.Id;
            var ports = new List<PortSpec>();
            var unsupported = new List<PortSpec>();
            foreach (var port in workload.Ports.Select(p => new PortSpec(p.Port, p.Protocol)).Concat(extra).Distinct())
            {
                if (port.Protocol == Protocol.Tcp || port.Protocol == Protocol.Udp || (port.Protocol == Protocol.Sctp && sctpSupported))
                {
                    ports.Add(port);
                }
                else
                {
                    unsupported.Add(port);
                }
            }

            if (unsupported.Count > 0)
            {
                var sctpOnly = unsupported.All(p => p.Protocol == Protocol.Sctp);
                skipped.Add(new(
                    $"{workload.Id} {string.Join(", ", unsupported)}",
                    sctpOnly ? "not served: this kernel has no SCTP" : "not served: the lab serves TCP, UDP and SCTP only"));
            }

            var node = nodes[pods.Count % nodes.Length];
            pods.Add(new LabPod(
                workload.Id,
                node.Name,
                netns,
                LabNames.HostInterface(workload.Id),
                [.. ips],
                [.. ports.OrderBy(p => p.Port).ThenBy(p => p.Protocol.Number)]));
        }

        return new LabState(nodes, pods.ToImmutable())
        {
            ExtraPorts = [.. extra],
            Skipped = skipped.ToImmutable(),
        };
    }
}
