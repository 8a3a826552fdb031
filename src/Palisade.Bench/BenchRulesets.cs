using System.Globalization;
using System.Net;
using System.Text;
using Palisade.Dataplane.Nftables;
using Palisade.Engine.Calculation;
using Palisade.Model;
using Palisade.Model.Cluster;
using Palisade.Model.Policies;
using Palisade.Model.Selectors;

namespace Palisade.Bench;

/// <summary>The rulesets the bench's router holds: Palisade's rendering of a synthetic policy set, conntrack only, and a naive rule list.</summary>
internal static class BenchRulesets
{
    /// <summary>A stateful ruleset and nothing else: what any ruleset that tracks connections pays.</summary>
    internal const string ConntrackOnly = "table inet bench {\n chain forward {\n  type filter hook forward priority filter; policy accept;\n  ct state established,related accept\n  ct state new accept\n }\n}\n";

    private const int Port = DataplaneBench.Port;

    /// <summary>
    /// Palisade's rendering of a policy set of <paramref name="rules"/> rules over many endpoints, where the client and
    /// server are two of them and the server's ingress allows a selector whose set has <paramref name="setSize"/> members.
    /// </summary>
    internal static Dataplane.Nftables.Model.NftTable PalisadeTable(int rules, int setSize, bool flowLogs = true)
    {
        var (cluster, model) = PolicySet(rules, setSize);
        var engine = CalculationEngine.Build(cluster, model);
        var locals = new List<RulesetRenderer.LocalEndpoint>
        {
            new("bench/client", BenchTopology.ClientInterface),
            new("bench/server", BenchTopology.ServerInterface),
        };

        // Every other endpoint is local too (on interfaces that do not exist), so that all the rules are in the table.
        locals.AddRange(cluster.Workloads.Where(w => w.Namespace != "bench").Take(rules / 10).Select((w, i) => new RulesetRenderer.LocalEndpoint(w.Id, $"palx{i}")));
        return new RulesetRenderer(new RuleCatalog(), flowLogs).Render(engine, locals, generation: 1);
    }

    internal static (ClusterSnapshot Cluster, PolicyModel Model) PolicySet(int rules, int setSize)
    {
        var workloads = new List<Workload>
        {
            Pod("bench", "client", BenchTopology.ClientAddress, "app", "client", "member", "yes"),
            Pod("bench", "server", BenchTopology.ServerAddress, "app", "server"),
        };
        for (var i = 0; i < Math.Max(setSize - 1, rules / 10); i++)
        {
            var address = new IPAddress(new byte[] { 10, (byte)(128 + (i >> 16)), (byte)(i >> 8), (byte)i });
            workloads.Add(i < setSize - 1
                ? Pod($"team-{i % 100}", $"m-{i}", address, "app", $"app-{i % 100}", "member", "yes")
                : Pod($"team-{i % 100}", $"m-{i}", address, "app", $"app-{i % 100}"));
        }

        var policies = new List<Policy>();
        var source = new SourceRef("networking.k8s.io/v1", "NetworkPolicy", "bench", "server");
        var server = new Policy("server", source, new Peer { Namespace = "bench", Selector = Selector.Equal("app", "server") })
        {
            Namespace = "bench",
            Order = PolicyModel.KubernetesPolicyOrder,
            GovernsIngress = true,
        };
        policies.Add(server with
        {
            IngressRules =
            [
                new Rule(RuleAction.Allow, new EntityMatch { Peers = [new Peer { NamespaceSelector = Selector.All, Selector = Selector.Equal("member", "yes") }] }, new EntityMatch { Ports = [PortMatch.Single(Port, Protocol.Tcp)] }, new RuleOrigin(source, "spec.ingress[0]", 0)),
            ],
        });

        // The rest of the rules guard other teams' apps: ten rules a policy.
        for (var p = 0; p < rules / 10; p++)
        {
            var ns = $"team-{p % 100}";
            var src = new SourceRef("networking.k8s.io/v1", "NetworkPolicy", ns, $"p-{p}");
            var policy = new Policy($"p-{p}", src, new Peer { Namespace = ns, Selector = Selector.Equal("app", $"app-{p % 100}") })
            {
                Namespace = ns,
                Order = PolicyModel.KubernetesPolicyOrder,
                GovernsIngress = true,
            };
            policies.Add(policy with
            {
                IngressRules = [.. Enumerable.Range(0, 10).Select(r => new Rule(
                    RuleAction.Allow,
                    new EntityMatch { Peers = [new Peer { Namespace = ns, Selector = Selector.Equal("app", $"app-{(p + r) % 100}") }] },
                    new EntityMatch { Ports = [PortMatch.Single(9000 + r, Protocol.Tcp)] },
                    new RuleOrigin(src, $"spec.ingress[{r}]", r)))],
            });
        }

        var namespaces = workloads.Select(w => w.Namespace).Distinct().Select(n => new NamespaceInfo(n, LabelSet.Of(NamespaceInfo.NameLabel, n)));
        var tier = new Tier(PolicyModel.DefaultTierName, PolicyModel.DefaultTierOrder, TierKind.Standard, RuleAction.Deny) { Policies = new(policies) };
        return (new ClusterSnapshot(namespaces, workloads, []), new PolicyModel([tier]));
    }

    private static Workload Pod(string ns, string name, IPAddress address, params string[] labels) =>
        new(ns, name, "Pod", LabelSet.Of(labels))
        {
            Addresses = [address],
            Ports = [new ContainerPort("http", Port, Protocol.Tcp)],
        };

    /// <summary>The same policy as a flat rule list, the way a naive implementation renders it: every rule on every new packet.</summary>
    internal static string NaiveTable(int rules)
    {
        var sb = new StringBuilder();
        sb.Append("table inet bench {\n chain forward {\n  type filter hook forward priority filter; policy drop;\n  ct state established,related accept\n");
        for (var i = 0; i < rules; i++)
        {
            sb.Append(CultureInfo.InvariantCulture, $"  ip saddr 10.{128 + (i >> 16)}.{(i >> 8) & 255}.{i & 255} ip daddr 10.200.{(i >> 8) & 255}.{i & 255} tcp dport {9000 + (i % 10)} accept\n");
        }

        sb.Append(CultureInfo.InvariantCulture, $"  ip saddr {BenchTopology.ClientAddress} ip daddr {BenchTopology.ServerAddress} tcp dport {Port} accept\n }}\n}}\n");
        return sb.ToString();
    }
}
