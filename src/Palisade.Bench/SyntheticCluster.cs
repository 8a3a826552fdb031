using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using Palisade.Model;
using Palisade.Model.Cluster;
using Palisade.Model.Policies;
using Palisade.Model.Selectors;

namespace Palisade.Bench;

/// <summary>
/// A synthetic cluster with a realistic shape — namespaces of teams, apps with replicas, tiers and personalities as
/// labels, and policies of every format the model reads, many sharing selectors — built straight into model objects
/// (as each dialect's reader would compile them), from a seed.
/// </summary>
public sealed class SyntheticCluster
{
    private static readonly string[] AppTiers = ["frontend", "backend", "data"];
    private static readonly string[] Personalities = ["ldap-client", "pci", "db-client", "cache-client", "metrics"];
    private static readonly string[] Regions = ["eu", "us", "apac"];
    private static readonly int[] AppPorts = [8080, 8443, 5432, 6379, 9090];
    private readonly Random random;
    private readonly Dictionary<string, LabelSet> labelCache = new(StringComparer.Ordinal);
    private int nextPod;

    private SyntheticCluster(int seed) => random = new Random(seed);

    public Dictionary<string, NamespaceInfo> Namespaces { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, Workload> Workloads { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, Tier> Tiers { get; } = new(StringComparer.Ordinal);

    /// <summary>Policies by the engine's key, with their tier.</summary>
    public Dictionary<string, (string Tier, Policy Policy)> Policies { get; } = new(StringComparer.Ordinal);

    /// <summary>Apps by namespace: name and label set, for churn that adds replicas of existing apps.</summary>
    internal Dictionary<string, List<(string App, LabelSet Labels, int Port)>> Apps { get; } = new(StringComparer.Ordinal);

    public string Shape { get; private set; } = "mixed";

    public Random Random => random;

    public static SyntheticCluster Generate(string shape, int endpoints, int policies, int seed)
    {
        var c = new SyntheticCluster(seed) { Shape = shape };
        c.Tiers[PolicyModel.DefaultTierName] = new Tier(PolicyModel.DefaultTierName, PolicyModel.DefaultTierOrder, TierKind.Standard, RuleAction.Deny);
        switch (shape)
        {
            case "antrea":
                c.GenerateAntrea(endpoints, policies);
                break;
            case "all-select":
                c.GenerateAllSelect(endpoints, policies);
                break;
            default:
                c.GenerateMixed(endpoints, policies);
                break;
        }

        return c;
    }

    public ClusterSnapshot Snapshot() => new(Namespaces.Values, Workloads.Values, []);

    public PolicyModel Model()
    {
        var byTier = Policies.Values.GroupBy(p => p.Tier, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Select(p => p.Policy).ToList(), StringComparer.Ordinal);
        return new PolicyModel(Tiers.Values.Select(t => t with { Policies = new(byTier.GetValueOrDefault(t.Name) ?? []) }));
    }

    internal LabelSet Labels(params string[] keysAndValues)
    {
        var key = string.Join('\u0001', keysAndValues);
        if (!labelCache.TryGetValue(key, out var labels))
        {
            labelCache[key] = labels = LabelSet.Of(keysAndValues);
        }

        return labels;
    }

    internal Workload NewPod(string ns, LabelSet labels, int port, string serviceAccount = "default")
    {
        var n = nextPod++;
        return new Workload(ns, $"pod-{n.ToString(CultureInfo.InvariantCulture)}", "Pod", labels)
        {
            ServiceAccount = serviceAccount,
            Addresses = new([new IPAddress(new byte[] { 10, (byte)(n >> 16), (byte)(n >> 8), (byte)n })]),
            Ports = new([new ContainerPort("http", port, Protocol.Tcp)]),
        };
    }

    internal void AddPolicy(string tier, Policy policy) => Policies[Palisade.Engine.Calculation.CalculationEngine.PolicyKey(policy)] = (tier, policy);

    private void AddNamespace(string name, params string[] labels)
    {
        var all = labels.Concat([NamespaceInfo.NameLabel, name]).ToArray();
        Namespaces[name] = new NamespaceInfo(name, Labels(all));
    }

    private static Selector Eq(string key, string value) => Selector.Equal(key, value);

    private static Rule Allow(Policy source, int index, Direction direction, Peer[] peers, PortMatch[] ports)
    {
        var origin = new RuleOrigin(source.Source, $"spec.{(direction == Direction.Ingress ? "ingress" : "egress")}[{index}]", index);
        var remote = new EntityMatch { Peers = peers.ToImmutableArray() };
        return direction == Direction.Ingress
            ? new Rule(RuleAction.Allow, remote, new EntityMatch { Ports = ports.ToImmutableArray() }, origin)
            : new Rule(RuleAction.Allow, EntityMatch.Any, remote with { Ports = ports.ToImmutableArray() }, origin);
    }

    /// <summary>A Kubernetes NetworkPolicy as the reader compiles it.</summary>
    internal static Policy KubernetesPolicy(string ns, string name, Selector podSelector, bool ingress, bool egress, Func<Policy, (Rule[] In, Rule[] Out)> rules)
    {
        var p = new Policy(name, new SourceRef("networking.k8s.io/v1", "NetworkPolicy", ns, name), new Peer { Namespace = ns, Selector = podSelector })
        {
            Namespace = ns,
            Order = PolicyModel.KubernetesPolicyOrder,
            GovernsIngress = ingress,
            GovernsEgress = egress,
        };
        var (i, o) = rules(p);
        return p with { IngressRules = ingress ? i.ToImmutableArray() : [], EgressRules = egress ? o.ToImmutableArray() : [] };
    }

    /// <summary>Antrea's published scale test: namespaces of four pods, three NetworkPolicies each.</summary>
    private void GenerateAntrea(int endpoints, int policies)
    {
        var namespaces = Math.Max(1, endpoints / 4);
        var perNs = Math.Max(1, policies / namespaces);
        for (var n = 0; n < namespaces; n++)
        {
            var ns = $"ns-{n}";
            AddNamespace(ns, "team", $"team-{n % 50}");
            var apps = new List<(string, LabelSet, int)>();
            for (var a = 0; a < 2; a++)
            {
                var labels = Labels("app", $"app-{a}", "tier", AppTiers[a]);
                apps.Add(($"app-{a}", labels, 8080));
                for (var r = 0; r < 2 && Workloads.Count < endpoints; r++)
                {
                    var pod = NewPod(ns, labels, 8080);
                    Workloads[pod.Id] = pod;
                }
            }

            Apps[ns] = apps;
            for (var k = 0; k < perNs && Policies.Count < policies; k++)
            {
                var name = $"np-{k}";
                Policy p = (k % 3) switch
                {
                    0 => KubernetesPolicy(ns, name, Selector.All, true, false, _ => ([], [])),
                    1 => KubernetesPolicy(ns, name, Eq("app", "app-1"), true, false, p => ([Allow(p, 0, Direction.Ingress, [new Peer { Namespace = ns, Selector = Eq("app", "app-0") }], [PortMatch.Single(8080, Protocol.Tcp)])], [])),
                    _ => KubernetesPolicy(ns, name, Eq("app", "app-0"), true, false, p => ([Allow(p, 0, Direction.Ingress, [new Peer { NamespaceSelector = Eq("team", $"team-{(n + 1) % 50}"), Selector = Eq("tier", "frontend") }], [])], [])),
                };
                AddPolicy(PolicyModel.DefaultTierName, p);
            }
        }
    }

    /// <summary>The worst case: every policy selects every pod (cluster-wide subjects), each with its own rules.</summary>
    private void GenerateAllSelect(int endpoints, int policies)
    {
        var namespaces = Math.Max(1, endpoints / 100);
        for (var n = 0; n < namespaces; n++)
        {
            AddNamespace($"ns-{n}", "team", $"team-{n % 10}");
        }

        for (var i = 0; i < endpoints; i++)
        {
            var ns = $"ns-{i % namespaces}";
            var labels = Labels("app", $"app-{i % 500}", "tier", AppTiers[i % 3]);
            var pod = NewPod(ns, labels, 8080);
            Workloads[pod.Id] = pod;
            if (!Apps.TryGetValue(ns, out var apps))
            {
                Apps[ns] = apps = [];
            }

            if (apps.Count < 20)
            {
                apps.Add(($"app-{i % 500}", labels, 8080));
            }
        }

        Tiers["platform"] = new Tier("platform", 100, TierKind.Standard, RuleAction.Pass);
        for (var k = 0; k < policies; k++)
        {
            var name = $"gnp-{k}";
            var source = new SourceRef("projectcalico.org/v3", "GlobalNetworkPolicy", null, name);
            var p = new Policy(name, source, new Peer { CalicoScope = true, Selector = Selector.All })
            {
                Order = k,
                GovernsIngress = true,
            };
            p = p with
            {
                IngressRules = [Allow(p, 0, Direction.Ingress, [new Peer { CalicoScope = true, Selector = Eq("app", $"app-{k % 500}") }], [PortMatch.Single(8080 + (k % 7))])],
            };
            AddPolicy("platform", p);
        }
    }

    /// <summary>A realistic mix: team namespaces of apps with replicas and personalities; policies in every format.</summary>
    private void GenerateMixed(int endpoints, int policies)
    {
        var namespaces = Math.Max(1, endpoints / 20);
        Tiers[PolicyModel.AdminTierName] = new Tier(PolicyModel.AdminTierName, PolicyModel.AdminTierOrder, TierKind.Admin, RuleAction.Pass);
        Tiers[PolicyModel.BaselineTierName] = new Tier(PolicyModel.BaselineTierName, PolicyModel.BaselineTierOrder, TierKind.Baseline, RuleAction.Pass);
        Tiers["security"] = new Tier("security", 100, TierKind.Standard, RuleAction.Pass);
        Tiers["platform"] = new Tier("platform", 200, TierKind.Standard, RuleAction.Deny);
        for (var n = 0; n < namespaces; n++)
        {
            var ns = $"ns-{n}";
            AddNamespace(ns, "team", $"team-{n % 40}", "region", Regions[n % 3], "zone", n % 10 == 0 ? "pci" : "internal");
            var apps = new List<(string, LabelSet, int)>();
            var appCount = 4 + random.Next(4);
            for (var a = 0; a < appCount; a++)
            {
                var pairs = new List<string> { "app", $"app-{a}", "tier", AppTiers[a % 3], "version", "v1" };
                foreach (var personality in Personalities)
                {
                    if (random.Next(4) == 0)
                    {
                        pairs.AddRange([personality, "true"]);
                    }
                }

                apps.Add(($"app-{a}", Labels([.. pairs]), AppPorts[a % AppPorts.Length]));
            }

            Apps[ns] = apps;
        }

        var nsNames = Namespaces.Keys.ToArray();
        while (Workloads.Count < endpoints)
        {
            var ns = nsNames[random.Next(nsNames.Length)];
            var (_, labels, port) = Apps[ns][random.Next(Apps[ns].Count)];
            var pod = NewPod(ns, labels, port, random.Next(3) == 0 ? "robot" : "default");
            Workloads[pod.Id] = pod;
        }

        var k = 0;
        while (Policies.Count < policies)
        {
            // Most policies are namespaced and narrow (teams protecting their apps); cluster-wide policies are few.
            var roll = random.Next(1000);
            var ns = nsNames[random.Next(nsNames.Length)];
            var app = Apps[ns][random.Next(Apps[ns].Count)].App;
            var name = $"p-{k++}";
            if (roll < 793)
            {
                // Kubernetes NetworkPolicy: default deny, app-to-app, or capability-based from other namespaces.
                var shape = random.Next(3);
                var policy = shape switch
                {
                    0 => KubernetesPolicy(ns, name, Selector.All, true, true, _ => ([], [])),
                    1 => KubernetesPolicy(ns, name, Eq("app", app), true, false, p => ([Allow(p, 0, Direction.Ingress, [new Peer { Namespace = ns, Selector = Eq("tier", "frontend") }], [PortMatch.Named("http", Protocol.Tcp)])], [])),
                    _ => KubernetesPolicy(ns, name, Eq("app", app), true, true, p => (
                        [Allow(p, 0, Direction.Ingress, [new Peer { NamespaceSelector = Eq("region", Regions[random.Next(3)]), Selector = Eq(Personalities[random.Next(Personalities.Length)], "true") }], [PortMatch.Single(AppPorts[random.Next(AppPorts.Length)], Protocol.Tcp)])],
                        [Allow(p, 0, Direction.Egress, [new Peer { NamespaceSelector = Selector.All, Selector = Eq("role", "ldap-server") }], [PortMatch.Single(389, Protocol.Tcp)]), Allow(p, 1, Direction.Egress, [new Peer { Nets = [new CidrBlock(IPNetwork.Parse("203.0.113.0/24"))] }], [])])),
                };
                AddPolicy(PolicyModel.DefaultTierName, policy);
            }
            else if (roll < 998)
            {
                // Calico: namespaced policies in the platform tier, global ones (one in forty) in the security tier.
                var global = random.Next(40) == 0;
                var source = new SourceRef("projectcalico.org/v3", global ? "GlobalNetworkPolicy" : "NetworkPolicy", global ? null : ns, name);
                var subject = global
                    ? new Peer { CalicoScope = true, Selector = Selector.And(Eq(Personalities[random.Next(Personalities.Length)], "true"), Selector.Has("tier")) }
                    : new Peer { CalicoScope = true, Namespace = ns, Selector = Eq("app", app) };
                var p = new Policy(name, source, subject) { Namespace = global ? null : ns, Order = random.Next(100), GovernsIngress = true };
                var origin = new RuleOrigin(source, "spec.ingress[0]", 0);
                p = p with
                {
                    IngressRules =
                    [
                        new Rule(RuleAction.Deny, new EntityMatch { Peers = [new Peer { CalicoScope = true, Namespace = global ? null : ns, Selector = Eq("zone", "quarantine") }] }, EntityMatch.Any, origin),
                        new Rule(global ? RuleAction.Pass : RuleAction.Allow, new EntityMatch { Peers = [new Peer { CalicoScope = true, NamespaceSelector = Eq("team", $"team-{random.Next(40)}") }] }, new EntityMatch { Ports = [PortMatch.Range(8000, 8999)] }, origin with { Path = "spec.ingress[1]", Index = 1 }) { Protocol = Protocol.Tcp },
                    ],
                };
                AddPolicy(global ? "security" : "platform", p);
            }
            else
            {
                // AdminNetworkPolicy / ClusterNetworkPolicy by priority.
                var source = new SourceRef("policy.networking.k8s.io/v1alpha1", "AdminNetworkPolicy", null, name);
                var p = new Policy(name, source, new Peer { NamespaceSelector = Eq("zone", random.Next(2) == 0 ? "pci" : "internal") })
                {
                    Order = random.Next(1000),
                    GovernsIngress = true,
                };
                var origin = new RuleOrigin(source, "spec.ingress[0]", 0);
                p = p with
                {
                    IngressRules =
                    [
                        new Rule(random.Next(2) == 0 ? RuleAction.Deny : RuleAction.Pass, new EntityMatch { Peers = [new Peer { NamespaceSelector = Eq("region", Regions[random.Next(3)]) }] }, EntityMatch.Any, origin),
                    ],
                };
                AddPolicy(PolicyModel.AdminTierName, p);
            }
        }
    }
}
