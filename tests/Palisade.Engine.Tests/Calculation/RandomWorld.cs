using System.Collections.Immutable;
using System.Net;
using Palisade.Model;
using Palisade.Model.Cluster;
using Palisade.Model.Policies;
using Palisade.Model.Selectors;

namespace Palisade.Engine.Tests.Calculation;

/// <summary>
/// Small random clusters and policy sets in every shape the model has (Kubernetes-style allow lists, admin tiers with
/// Deny/Pass, Calico tiers with selectors, network sets, CIDRs, named ports, service accounts), and random updates to
/// them, from a seed, so that the incremental engine can be compared with the reference evaluator.
/// </summary>
internal sealed class RandomWorld
{
    private static readonly string[] Apps = ["web", "api", "db", "cache", "ldap"];
    private static readonly string[] Tiers = ["frontend", "backend", "data"];
    private static readonly string[] Namespaces = ["a", "b", "c", "d"];
    private static readonly string[] Accounts = ["default", "robot", "admin"];
    private static readonly int[] Ports = [80, 443, 5432, 8080];
    private readonly Random random;
    private int nextPolicy;

    public RandomWorld(int seed)
    {
        random = new Random(seed);
        foreach (var ns in Namespaces)
        {
            NamespaceState[ns] = RandomNamespace(ns);
        }

        foreach (var ns in Namespaces)
        {
            foreach (var sa in Accounts)
            {
                ServiceAccounts[(ns, sa)] = new ServiceAccountInfo(ns, sa, random.Next(2) == 0 ? LabelSet.Of("trusted", "yes") : LabelSet.Empty);
            }
        }

        for (var i = 0; i < 12; i++)
        {
            var w = RandomWorkload($"w{i}");
            Workloads[w.Id] = w;
        }

        NetworkSets["outside"] = new NetworkSetInfo(null, "outside", LabelSet.Of("role", "scanner"), new([new CidrBlock(IPNetwork.Parse("192.0.2.0/28"))]));
        NetworkSets["a/partners"] = new NetworkSetInfo("a", "partners", LabelSet.Of("role", "partner"), new([new CidrBlock(IPNetwork.Parse("10.9.0.0/30"))]));
        TierState["kube-admin"] = new Tier("kube-admin", 1000, TierKind.Admin, RuleAction.Pass);
        TierState["security"] = new Tier("security", 500, TierKind.Standard, random.Next(2) == 0 ? RuleAction.Deny : RuleAction.Pass);
        TierState["default"] = new Tier("default", 1_000_000, TierKind.Standard, RuleAction.Deny);
        TierState["kube-baseline"] = new Tier("kube-baseline", 10_000_000, TierKind.Baseline, RuleAction.Pass);
        for (var i = 0; i < 8; i++)
        {
            var (tier, p) = RandomPolicy();
            Policies[CalculationKey(p)] = (tier, p);
        }
    }

    public Dictionary<string, NamespaceInfo> NamespaceState { get; } = new(StringComparer.Ordinal);

    public Dictionary<(string, string), ServiceAccountInfo> ServiceAccounts { get; } = [];

    public Dictionary<string, Workload> Workloads { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, NetworkSetInfo> NetworkSets { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, Tier> TierState { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, (string Tier, Policy Policy)> Policies { get; } = new(StringComparer.Ordinal);

    public static string CalculationKey(Policy p) => Palisade.Engine.Calculation.CalculationEngine.PolicyKey(p);

    public ClusterSnapshot Snapshot() => new(NamespaceState.Values, Workloads.Values, ServiceAccounts.Values, [], NetworkSets.Values);

    public PolicyModel Model() => new(TierState.Values.Select(t => t with
    {
        Policies = new(Policies.Values.Where(p => p.Tier == t.Name).Select(p => p.Policy)),
    }));

    /// <summary>
    /// <paramref name="count"/> random updates, applied to this world and to <paramref name="engine"/>, which is flushed
    /// after two in three of them (chosen by <paramref name="seed"/>) and at the end.
    /// </summary>
    public void Churn(Palisade.Engine.Calculation.CalculationEngine engine, int count, int seed)
    {
        var flushes = new Random(seed);
        for (var i = 0; i < count; i++)
        {
            NextUpdate()(engine);
            if (flushes.Next(3) != 0)
            {
                engine.Flush();
            }
        }

        engine.Flush();
    }

    /// <summary>One random update, applied to this world and described for the engine.</summary>
    public Action<Palisade.Engine.Calculation.CalculationEngine> NextUpdate()
    {
        switch (random.Next(10))
        {
            case 9:
            {
                // A pod gets other addresses and keeps its labels (a restart): only rules naming addresses see it.
                var id = Pick(Workloads.Keys.ToList());
                if (id is null)
                {
                    goto case 0;
                }

                var w = Workloads[id] with { Addresses = RandomAddresses(Workloads[id].Namespace) };
                Workloads[id] = w;
                return e => e.UpsertWorkload(w);
            }

            case 0:
            {
                var w = RandomWorkload($"w{random.Next(16)}");
                Workloads[w.Id] = w;
                return e => e.UpsertWorkload(w);
            }

            case 1:
            {
                var id = Pick(Workloads.Keys.ToList());
                if (id is null)
                {
                    goto case 0;
                }

                Workloads.Remove(id);
                return e => e.RemoveWorkload(id);
            }

            case 2:
            {
                var id = Pick(Workloads.Keys.ToList());
                if (id is null)
                {
                    goto case 0;
                }

                var w = Workloads[id] with { Labels = RandomLabels() };
                Workloads[id] = w;
                return e => e.UpsertWorkload(w);
            }

            case 3:
            {
                var ns = RandomNamespace(Pick(Namespaces)!);
                NamespaceState[ns.Name] = ns;
                return e => e.UpsertNamespace(ns);
            }

            case 4:
            {
                var (tier, p) = RandomPolicy();
                Policies[CalculationKey(p)] = (tier, p);
                return e => e.UpsertPolicy(tier, p);
            }

            case 5:
            {
                var key = Pick(Policies.Keys.ToList());
                if (key is null)
                {
                    goto case 4;
                }

                Policies.Remove(key);
                return e => e.RemovePolicy(key);
            }

            case 6:
            {
                // Change a policy in place: same key, new content.
                var key = Pick(Policies.Keys.ToList());
                if (key is null)
                {
                    goto case 4;
                }

                var (tier, old) = Policies[key];
                var (_, fresh) = RandomPolicy();
                var p = fresh with { Name = old.Name, Namespace = old.Namespace, Source = old.Source, AppliesTo = old.Namespace is null ? fresh.AppliesTo with { Namespace = null } : fresh.AppliesTo with { Namespace = old.Namespace } };
                Policies[key] = (tier, p);
                return e => e.UpsertPolicy(tier, p);
            }

            case 7:
            {
                var (ns, sa) = (Pick(Namespaces)!, Pick(Accounts)!);
                var info = new ServiceAccountInfo(ns, sa, random.Next(2) == 0 ? LabelSet.Of("trusted", "yes") : LabelSet.Of("trusted", "no"));
                ServiceAccounts[(ns, sa)] = info;
                return e => e.UpsertServiceAccount(info);
            }

            default:
            {
                var tier = TierState["security"] with { EndAction = random.Next(2) == 0 ? RuleAction.Deny : RuleAction.Pass, Order = random.Next(2) == 0 ? 500 : 2_000_000 };
                TierState["security"] = tier;
                return e => e.UpsertTier(tier);
            }
        }
    }

    private T? Pick<T>(IReadOnlyList<T> items) => items.Count == 0 ? default : items[random.Next(items.Count)];

    private NamespaceInfo RandomNamespace(string name) =>
        new(name, LabelSet.Of(NamespaceInfo.NameLabel, name, "zone", Pick(["dmz", "internal", "pci"])!));

    private LabelSet RandomLabels()
    {
        var pairs = new List<KeyValuePair<string, string>> { new("app", Pick(Apps)!) };
        if (random.Next(2) == 0)
        {
            pairs.Add(new("tier", Pick(Tiers)!));
        }

        if (random.Next(3) == 0)
        {
            pairs.Add(new("pci", "true"));
        }

        return LabelSet.From(pairs);
    }

    private Workload RandomWorkload(string name)
    {
        var ns = Pick(Namespaces)!;
        return new Workload(ns, name, "Pod", RandomLabels())
        {
            ServiceAccount = Pick(Accounts)!,
            Addresses = RandomAddresses(ns),
            Ports = new([new ContainerPort("http", Pick(Ports), Protocol.Tcp), new ContainerPort("dns", 53, Protocol.Udp)]),
            HostNetwork = random.Next(20) == 0,
        };
    }

    /// <summary>Mostly one IPv4 address; some pods have none (a Deployment's), some two (dual stack), some only IPv6.</summary>
    private EquatableArray<IPAddress> RandomAddresses(string ns)
    {
        var octet = random.Next(1, 6);
        var address = random.Next(8) == 0 ? IPAddress.Parse($"192.0.2.{octet}") : IPAddress.Parse($"10.{Array.IndexOf(Namespaces, ns)}.0.{octet}");
        return random.Next(12) switch
        {
            0 => EquatableArray<IPAddress>.Empty,
            1 => new([address, IPAddress.Parse($"fd00::{octet}")]),
            2 => new([IPAddress.Parse($"fd00::{octet}")]),
            _ => new([address]),
        };
    }

    private Selector RandomSelector()
    {
        return random.Next(6) switch
        {
            0 => Selector.All,
            1 => Selector.Equal("app", Pick(Apps)!),
            2 => Selector.In("app", Pick(Apps)!, Pick(Apps)!),
            3 => Selector.And(Selector.Has("tier"), Selector.NotEqual("app", Pick(Apps)!)),
            4 => Selector.Has("pci"),
            _ => Selector.Or(Selector.Equal("tier", Pick(Tiers)!), Selector.Equal("role", "scanner")),
        };
    }

    /// <summary>Blocks naming IPv6 addresses, alone or beside an IPv4 one.</summary>
    private EquatableArray<CidrBlock> RandomV6Nets() => random.Next(3) switch
    {
        0 => new([new CidrBlock(IPNetwork.Parse("::/0"))]),
        1 => new([new CidrBlock(IPNetwork.Parse("fd00::/120"), new([IPNetwork.Parse("fd00::2/128")]))]),
        _ => new([new CidrBlock(IPNetwork.Parse("fd00::/64")), new CidrBlock(IPNetwork.Parse("10.0.0.0/16"))]),
    };

    private Peer RandomPeer(string? ns, bool calico)
    {
        return random.Next(8) switch
        {
            0 => new Peer { Nets = random.Next(6) == 0 ? RandomV6Nets() : new([new CidrBlock(IPNetwork.Parse(Pick(["10.0.0.0/16", "192.0.2.0/24", "0.0.0.0/0", "10.1.0.0/29"])!), random.Next(2) == 0 ? EquatableArray<IPNetwork>.Empty : new([IPNetwork.Parse("10.0.0.0/30")]))]) },
            1 => new Peer { CalicoScope = calico, NamespaceSelector = Selector.Equal("zone", Pick(["dmz", "internal", "pci"])!) },
            2 => new Peer { CalicoScope = calico, NamespaceSelector = random.Next(2) == 0 ? Selector.All : Selector.Global, Selector = RandomSelector() },
            3 => new Peer { CalicoScope = calico, ServiceAccountSelector = Selector.Equal("trusted", "yes"), Namespace = ns },
            4 => new Peer { CalicoScope = calico, ServiceAccountNames = new(["robot"]), Namespace = ns },
            _ => new Peer { CalicoScope = calico, Namespace = ns, Selector = RandomSelector() },
        };
    }

    private EntityMatch RandomEntity(string? ns, bool calico, bool ports)
    {
        var peers = random.Next(4) == 0 ? ImmutableArray<Peer>.Empty : [.. Enumerable.Range(0, random.Next(1, 3)).Select(_ => RandomPeer(ns, calico))];
        var portList = !ports || random.Next(3) == 0 ? ImmutableArray<PortMatch>.Empty : [.. Enumerable.Range(0, random.Next(1, 3)).Select(_ => random.Next(4) switch
        {
            0 => PortMatch.Named("http", Protocol.Tcp),
            1 => PortMatch.Range(80, 443, Protocol.Tcp),
            2 => PortMatch.AnyPort(Protocol.Udp),
            _ => PortMatch.Single(Pick(Ports)),
        })];
        return new EntityMatch
        {
            Peers = peers,
            Ports = portList,
            NotSelector = calico && random.Next(6) == 0 ? Selector.Equal("app", "cache") : null,
            NotNets = calico && random.Next(6) == 0 ? new([new CidrBlock(IPNetwork.Parse("10.2.0.0/16"))]) : EquatableArray<CidrBlock>.Empty,
        };
    }

    private (string Tier, Policy Policy) RandomPolicy()
    {
        var id = nextPolicy++;
        var kind = random.Next(3);
        var (tier, ns, calico) = kind switch
        {
            0 => ("default", Pick(Namespaces), false),
            1 => (Pick(["kube-admin", "kube-baseline"])!, (string?)null, false),
            _ => (Pick(["security", "default"])!, random.Next(2) == 0 ? Pick(Namespaces) : null, true),
        };
        var actions = kind == 0 ? new[] { RuleAction.Allow } : [RuleAction.Allow, RuleAction.Deny, RuleAction.Pass, RuleAction.Log];
        var source = new SourceRef("test/v1", $"Kind{kind}", ns, $"p{id}");
        Rule MakeRule(int i, Direction d)
        {
            var remote = RandomEntity(ns, calico, ports: false);
            var local = new EntityMatch { Ports = RandomEntity(ns, calico, ports: true).Ports };
            var action = actions[random.Next(actions.Length)];
            var origin = new RuleOrigin(source, $"spec.{(d == Direction.Ingress ? "ingress" : "egress")}[{i}]", i);
            var rule = d == Direction.Ingress ? new Rule(action, remote, local, origin) : new Rule(action, EntityMatch.Any, remote with { Ports = local.Ports }, origin);
            return random.Next(5) == 0 ? rule with { Protocol = random.Next(2) == 0 ? Protocol.Tcp : Protocol.Udp } : rule;
        }

        var subject = kind == 1
            ? new Peer { NamespaceSelector = random.Next(2) == 0 ? Selector.All : Selector.Equal("zone", "pci"), Selector = RandomSelector() }
            : new Peer { CalicoScope = calico, Namespace = ns, Selector = RandomSelector() };
        var ingress = random.Next(4) != 0;
        var egress = random.Next(2) == 0;
        return (tier, new Policy($"p{id}", source, subject)
        {
            Namespace = ns,
            Order = random.Next(3) * 10,
            GovernsIngress = ingress,
            GovernsEgress = egress,
            IngressRules = ingress ? new([.. Enumerable.Range(0, random.Next(0, 4)).Select(i => MakeRule(i, Direction.Ingress))]) : EquatableArray<Rule>.Empty,
            EgressRules = egress ? new([.. Enumerable.Range(0, random.Next(0, 3)).Select(i => MakeRule(i, Direction.Egress))]) : EquatableArray<Rule>.Empty,
        });
    }
}
