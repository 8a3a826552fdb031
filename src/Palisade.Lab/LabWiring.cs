using System.Net;
using System.Net.Sockets;

namespace Palisade.Lab;

/// <summary>
/// Makes a planned lab in the kernel, Calico-style: a namespace per node and per pod, each pod a /32 (/128) behind a
/// veth whose host end is on its node, routed there, with proxy ARP answering for the pod's gateway 169.254.1.1
/// (IPv6: a link-local fe80::1 on the host end); nodes joined by a bridge in a fabric namespace, each routing remote pods
/// via their node. Nothing is made in, or changed in, the machine's root namespace.
/// </summary>
internal static class LabWiring
{
    private static readonly IPAddress Gateway = IPAddress.Parse("169.254.1.1");
    private static readonly IPAddress Gateway6 = IPAddress.Parse("fe80::1");

    /// <summary>Whether the kernel has IPv6 (namespaces get it if the root namespace has it).</summary>
    public static bool Ipv6Supported => Directory.Exists("/proc/sys/net/ipv6");

    public static void Build(LabState lab)
    {
        var ipv6 = lab.Pods.Any(p => p.Ips.Any(ip => ip.AddressFamily == AddressFamily.InterNetworkV6));
        var nodeIndex = lab.Nodes.Select((n, i) => (n.Name, Index: i + 1)).ToDictionary(p => p.Name, p => p.Index, StringComparer.Ordinal);

        // Namespaces and veths: one ip process; each veth end is created straight into its namespace.
        var commands = new List<string> { $"netns add {LabNames.Fabric}" };
        commands.AddRange(lab.Nodes.Select(n => $"netns add {n.Netns}"));
        commands.AddRange(lab.Pods.Select(p => $"netns add {p.Netns}"));
        commands.Add($"link add {LabNames.Bridge} netns {LabNames.Fabric} type bridge");
        commands.AddRange(lab.Nodes.Select((n, i) =>
            $"link add {LabNames.FabricPort(i + 1)} netns {LabNames.Fabric} type veth peer name {LabNames.NodeFabricInterface} netns {n.Netns}"));
        commands.AddRange(lab.Pods.Select(p =>
            $"link add {p.Interface} netns {lab.FindNode(p.Node)!.Netns} type veth peer name {LabNames.PodInterface} netns {p.Netns}"));
        IpBatch.Run(commands);

        var work = new List<(string, Action)>
        {
            (LabNames.Fabric, () => Fabric(lab.Nodes.Length)),
        };
        work.AddRange(lab.Nodes.Select(n => (n.Netns, (Action)(() => Node(lab, n, nodeIndex, ipv6)))));
        work.AddRange(lab.Pods.Select(p => (p.Netns, (Action)(() => Pod(p)))));
        NamespaceWork.Run(work, Math.Max(2, Environment.ProcessorCount));
    }

    private static void Fabric(int nodes)
    {
        using var nl = new RouteNetlink();
        nl.SetUp("lo");
        nl.SetUp(LabNames.Bridge);
        for (var i = 1; i <= nodes; i++)
        {
            nl.SetUp(LabNames.FabricPort(i), master: LabNames.Bridge);
        }
    }

    private static void Node(LabState lab, LabNode node, Dictionary<string, int> nodeIndex, bool ipv6)
    {
        using var nl = new RouteNetlink();
        var local = lab.Pods.Where(p => p.Node == node.Name).ToList();
        Sysctl.Write("net.ipv4.ip_forward", "1");
        if (ipv6)
        {
            Sysctl.Write("net.ipv6.conf.all.forwarding", "1");
            Sysctl.Write("net.ipv6.conf.all.accept_dad", "0");
        }

        nl.SetUp("lo");
        nl.AddAddress(LabNames.NodeFabricInterface, IPAddress.Parse(node.Address), 24);
        if (ipv6)
        {
            Sysctl.Write($"net.ipv6.conf.{LabNames.NodeFabricInterface}.accept_dad", "0");
            nl.AddAddress(LabNames.NodeFabricInterface, IPAddress.Parse(LabNames.NodeAddress6(nodeIndex[node.Name])), 64, noDad: true);
        }

        nl.SetUp(LabNames.NodeFabricInterface);

        // Proxy ARP answers for an address only if the node routes it out of another interface.
        nl.AddRoute(Gateway, 32, "lo", null, RouteNetlink.ScopeLink);
        foreach (var pod in local)
        {
            Sysctl.Write($"net.ipv4.conf.{pod.Interface}.proxy_arp", "1");

            // Without this the kernel delays proxy ARP replies to broadcasts by up to 0.8 s.
            Sysctl.Write($"net.ipv4.neigh.{pod.Interface}.proxy_delay", "0");
            if (ipv6)
            {
                Sysctl.Write($"net.ipv6.conf.{pod.Interface}.accept_dad", "0");
                nl.AddAddress(pod.Interface, Gateway6, 64, noDad: true);
            }

            nl.SetUp(pod.Interface);
            foreach (var ip in pod.Ips)
            {
                nl.AddRoute(ip, HostPrefix(ip), pod.Interface, null, RouteNetlink.ScopeLink);
            }
        }

        foreach (var pod in lab.Pods.Where(p => p.Node != node.Name))
        {
            var owner = nodeIndex[pod.Node];
            foreach (var ip in pod.Ips)
            {
                var via = ip.AddressFamily == AddressFamily.InterNetworkV6
                    ? IPAddress.Parse(LabNames.NodeAddress6(owner))
                    : IPAddress.Parse(LabNames.NodeAddress(owner));
                nl.AddRoute(ip, HostPrefix(ip), LabNames.NodeFabricInterface, via, RouteNetlink.ScopeUniverse);
            }
        }
    }

    private static void Pod(LabPod pod)
    {
        using var nl = new RouteNetlink();
        var ipv6 = pod.Ips.Any(ip => ip.AddressFamily == AddressFamily.InterNetworkV6);
        nl.SetUp("lo");
        if (ipv6)
        {
            Sysctl.Write("net.ipv6.conf.all.accept_dad", "0");
            Sysctl.Write($"net.ipv6.conf.{LabNames.PodInterface}.accept_dad", "0");
        }

        foreach (var ip in pod.Ips)
        {
            nl.AddAddress(LabNames.PodInterface, ip, HostPrefix(ip), noDad: ip.AddressFamily == AddressFamily.InterNetworkV6);
        }

        nl.SetUp(LabNames.PodInterface);
        nl.AddRoute(Gateway, 32, LabNames.PodInterface, null, RouteNetlink.ScopeLink);
        nl.AddRoute(IPAddress.Any, 0, LabNames.PodInterface, Gateway, RouteNetlink.ScopeUniverse);
        if (ipv6)
        {
            nl.AddRoute(IPAddress.IPv6Any, 0, LabNames.PodInterface, Gateway6, RouteNetlink.ScopeUniverse);
        }
    }

    private static int HostPrefix(IPAddress ip) => ip.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32;
}
