using System.Net;
using System.Net.Sockets;
using Palisade.Model.Cluster;
using Palisade.Model.Policies;

namespace Palisade.Engine.Analysis;

/// <summary>A network some rule or network set names, judged through one address inside it that no workload has.</summary>
internal sealed record ExternalNetwork(string Name, IPAddress Probe)
{
    /// <summary>The networks the rules and network sets of every given side name, each with its probe address.</summary>
    public static IEnumerable<ExternalNetwork> Collect(params IReadOnlyList<(ClusterSnapshot Cluster, PolicyModel Policies)> sides)
    {
        var networks = new HashSet<IPNetwork>();
        void Add(CidrBlock block)
        {
            networks.Add(block.Network);
            networks.UnionWith(block.Except);
        }

        foreach (var (cluster, policies) in sides)
        {
            foreach (var end in policies.Policies.SelectMany(p => p.IngressRules.Concat(p.EgressRules)).SelectMany(r => new[] { r.Source, r.Destination }))
            {
                foreach (var block in end.Peers.SelectMany(p => p.Nets).Concat(end.NotNets))
                {
                    Add(block);
                }
            }

            foreach (var block in cluster.NetworkSets.SelectMany(n => n.Nets))
            {
                Add(block);
            }
        }

        var taken = sides.SelectMany(s => s.Cluster.Workloads).SelectMany(w => w.Addresses).ToHashSet();
        foreach (var network in networks.OrderBy(n => n.BaseAddress.AddressFamily).ThenBy(n => n.PrefixLength).ThenBy(n => n.ToString(), StringComparer.Ordinal))
        {
            if (ProbeIn(network, networks, taken) is { } probe)
            {
                yield return new ExternalNetwork(network.ToString(), probe);
            }
        }
    }

    /// <summary>
    /// An address in the network that is in none of the more specific networks (so it stands for this network
    /// alone) and that no workload holds; for the whole address space a documentation address.
    /// </summary>
    private static IPAddress? ProbeIn(IPNetwork network, HashSet<IPNetwork> all, HashSet<IPAddress> taken)
    {
        var candidates = new List<IPAddress>();
        if (network.PrefixLength == 0)
        {
            candidates.Add(network.BaseAddress.AddressFamily == AddressFamily.InterNetwork ? IPAddress.Parse("192.0.2.1") : IPAddress.Parse("2001:db8::1"));
        }

        var bytes = network.BaseAddress.GetAddressBytes();
        var hostBits = (bytes.Length * 8) - network.PrefixLength;
        for (var offset = 1; offset <= 64 && (hostBits >= 63 || offset < (1L << hostBits)); offset++)
        {
            candidates.Add(Add(bytes, offset));
        }

        if (hostBits == 0)
        {
            candidates.Add(network.BaseAddress);
        }

        return candidates.FirstOrDefault(a =>
            network.Contains(a) && !taken.Contains(a) &&
            !all.Any(other => other.PrefixLength > network.PrefixLength && other.Contains(a)));
    }

    private static IPAddress Add(byte[] bytes, int offset)
    {
        var copy = (byte[])bytes.Clone();
        var carry = offset;
        for (var i = copy.Length - 1; i >= 0 && carry > 0; i--)
        {
            var sum = copy[i] + carry;
            copy[i] = (byte)sum;
            carry = sum >> 8;
        }

        return new IPAddress(copy);
    }
}
