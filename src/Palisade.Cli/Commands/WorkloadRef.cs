using System.Net;
using Palisade.Engine.Evaluation;
using Palisade.Model.Cluster;

namespace Palisade.Cli.Commands;

/// <summary>Turns a command-line reference (<c>ns/name</c>, a unique <c>name</c>, or an IP address) into a flow end.</summary>
internal static class WorkloadRef
{
    public static FlowEnd Resolve(ClusterSnapshot cluster, string text, string option)
    {
        if (IPAddress.TryParse(text, out var ip))
        {
            var owner = cluster.Workloads.FirstOrDefault(w => w.Addresses.AsImmutableArray().Contains(ip));
            return owner is null ? FlowEnd.Of(ip) : FlowEnd.Of(owner, ip);
        }

        if (cluster.FindWorkload(text) is { } exact)
        {
            return FlowEnd.Of(exact);
        }

        if (!text.Contains('/', StringComparison.Ordinal))
        {
            var byName = cluster.Workloads.Where(w => w.Name == text).ToList();
            if (byName.Count == 1)
            {
                return FlowEnd.Of(byName[0]);
            }

            if (byName.Count > 1)
            {
                throw new UsageException($"{option} {text} is ambiguous: {string.Join(", ", byName.Select(w => w.Id))}; give NAMESPACE/NAME");
            }
        }

        var hint = cluster.Workloads.Length == 0 ? "the manifests define no workloads" :
            $"known workloads: {string.Join(", ", cluster.Workloads.Take(8).Select(w => w.Id))}{(cluster.Workloads.Length > 8 ? ", ..." : string.Empty)}";
        throw new UsageException($"{option} {text}: no such workload (expected NAMESPACE/NAME or an IP address; {hint})");
    }
}
