using System.Net;
using Palisade.Engine.Calculation;
using Palisade.Engine.Evaluation;
using Palisade.Engine.Tests.Oracle;
using Palisade.Model;
using Palisade.Model.Cluster;
using Palisade.Model.Policies;
using Palisade.Model.Selectors;

namespace Palisade.Engine.Tests.Calculation;

/// <summary>
/// Each rule shape the flat program holds in its general form (<see cref="GeneralRuleCode"/>) — not-selectors,
/// not-blocks, node selectors, IP versions, ICMP types, source ports, not-ports, peers naming selectors and blocks
/// together, IPv6 blocks, conditions on the local end — judged alone, against the reference evaluator, in a cluster
/// holding every kind of end those shapes tell apart: pods of one IPv4 address, of none, of two, of IPv6 only, a
/// host-network pod on a node's address, network sets, nodes, and outside addresses. The shape's rule denies and an
/// allow-all rule follows it, so that each flow's deciding rule shows whether the shape matched.
/// </summary>
public sealed class GeneralRuleEquivalenceTests
{
    private static readonly SourceRef Source = new("projectcalico.org/v3", "GlobalNetworkPolicy", null, "shape");

    private static EntityMatch Peers(params Peer[] peers) => new() { Peers = new(peers) };

    private static CidrBlock Block(string cidr, params string[] except) => new(IPNetwork.Parse(cidr), new([.. except.Select(IPNetwork.Parse)]));

    /// <summary>The shapes: the rule's direction, its remote and local ends (source and destination by direction), and its other conditions.</summary>
    private static readonly Dictionary<string, (Direction Direction, bool General, Func<RuleOrigin, Rule> Make)> ShapeRules = new(StringComparer.Ordinal)
    {
        ["not-selector"] = (Direction.Ingress, true, o => new Rule(RuleAction.Deny, new EntityMatch { NotSelector = Selector.Equal("app", "cache") }, EntityMatch.Any, o)),
        ["not-selector-of-network-sets"] = (Direction.Ingress, true, o => new Rule(RuleAction.Deny, new EntityMatch { NotSelector = Selector.Equal("role", "scanner") }, EntityMatch.Any, o)),
        ["not-nets"] = (Direction.Ingress, true, o => new Rule(RuleAction.Deny, new EntityMatch { NotNets = new([Block("10.1.0.0/16")]) }, EntityMatch.Any, o)),
        ["not-nets-v6"] = (Direction.Egress, true, o => new Rule(RuleAction.Deny, EntityMatch.Any, new EntityMatch { NotNets = new([Block("fd00::/120", "fd00::2/128")]) }, o)),
        ["node-selector"] = (Direction.Egress, true, o => new Rule(RuleAction.Deny, EntityMatch.Any, Peers(new Peer { NodeSelector = Selector.Equal("role", "worker") }), o)),
        ["node-selector-and-nets"] = (Direction.Ingress, true, o => new Rule(RuleAction.Deny, Peers(new Peer { NodeSelector = Selector.All, Nets = new([Block("172.16.0.0/31")]) }), EntityMatch.Any, o)),
        ["ip-version-4"] = (Direction.Ingress, true, o => new Rule(RuleAction.Deny, EntityMatch.Any, EntityMatch.Any, o) { IpVersion = 4 }),
        ["ip-version-6"] = (Direction.Egress, true, o => new Rule(RuleAction.Deny, EntityMatch.Any, EntityMatch.Any, o) { IpVersion = 6 }),
        ["icmp-type"] = (Direction.Ingress, true, o => new Rule(RuleAction.Deny, EntityMatch.Any, EntityMatch.Any, o) { Protocol = Protocol.Icmp, Icmp = new IcmpMatch(8) }),
        ["source-ports"] = (Direction.Ingress, true, o => new Rule(RuleAction.Deny, new EntityMatch { Ports = new([PortMatch.Single(80, Protocol.Tcp)]) }, EntityMatch.Any, o)),
        ["not-ports"] = (Direction.Ingress, true, o => new Rule(RuleAction.Deny, EntityMatch.Any, new EntityMatch { NotPorts = new([PortMatch.Single(443, Protocol.Tcp), PortMatch.AnyPort(Protocol.Udp)]) }, o)),
        ["not-named-port"] = (Direction.Egress, true, o => new Rule(RuleAction.Deny, EntityMatch.Any, new EntityMatch { NotPorts = new([PortMatch.Named("http", Protocol.Tcp)]) }, o)),
        ["selector-and-nets"] = (Direction.Ingress, true, o => new Rule(RuleAction.Deny, Peers(new Peer { CalicoScope = true, Selector = Selector.Equal("app", "web"), Nets = new([Block("10.0.0.0/8")]) }), EntityMatch.Any, o)),
        ["v6-nets"] = (Direction.Ingress, true, o => new Rule(RuleAction.Deny, Peers(new Peer { Nets = new([Block("fd00::/124")]) }), EntityMatch.Any, o)),
        ["local-selector"] = (Direction.Ingress, true, o => new Rule(RuleAction.Deny, EntityMatch.Any, Peers(new Peer { CalicoScope = true, Selector = Selector.Equal("app", "db") }), o)),
        ["local-not-selector"] = (Direction.Egress, true, o => new Rule(RuleAction.Deny, new EntityMatch { NotSelector = Selector.Equal("app", "web") }, EntityMatch.Any, o)),
        ["calico-selector-of-network-set-with-not-nets"] = (Direction.Egress, true, o => new Rule(RuleAction.Deny, EntityMatch.Any, new EntityMatch
        {
            Peers = new([new Peer { CalicoScope = true, Selector = Selector.Equal("role", "partner") }, new Peer { CalicoScope = true, Selector = Selector.Equal("app", "db") }]),
            NotNets = new([Block("10.9.0.2/32")]),
        }, o)),

        // A simple rule naming blocks, judged in its flat form: ends of several addresses and IPv6 ones go address by address.
        ["simple-nets-of-several-addresses"] = (Direction.Ingress, false, o => new Rule(RuleAction.Deny, Peers(new Peer { Nets = new([Block("10.0.0.0/16", "10.0.0.2/32")]) }), EntityMatch.Any, o)),
    };

    public static TheoryData<string> Shapes => [.. ShapeRules.Keys];

    private static readonly (int Port, Protocol Protocol)[] Ports = [(80, Protocol.Tcp), (443, Protocol.Tcp), (53, Protocol.Udp), (0, Protocol.Icmp)];

    private static readonly IPAddress[] Outside =
        [.. new[] { "192.0.2.3", "10.9.0.1", "10.9.0.2", "203.0.113.1", "172.16.0.0", "172.16.0.10", "172.16.0.11", "fd00::3", "fd00::20", "10.1.0.99", "10.0.0.2" }.Select(IPAddress.Parse)];

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Shape_JudgedInTheFlatCode_EqualsTheReference(string shape)
    {
        var (direction, general, make) = ShapeRules[shape];
        var rule = make(new RuleOrigin(Source, $"spec.{(direction == Direction.Ingress ? "ingress" : "egress")}[0]", 0));
        var allowAll = new Rule(RuleAction.Allow, EntityMatch.Any, EntityMatch.Any, new RuleOrigin(Source, $"spec.{(direction == Direction.Ingress ? "ingress" : "egress")}[1]", 1));
        var policy = new Policy("shape", Source, new Peer { CalicoScope = true, Selector = Selector.All })
        {
            GovernsIngress = direction == Direction.Ingress,
            GovernsEgress = direction == Direction.Egress,
            IngressRules = direction == Direction.Ingress ? new([rule, allowAll]) : EquatableArray<Rule>.Empty,
            EgressRules = direction == Direction.Egress ? new([rule, allowAll]) : EquatableArray<Rule>.Empty,
        };
        Assert.Equal(general, !IsSimple(policy, rule, direction));

        var snapshot = Cluster();
        var model = new PolicyModel([new Tier("security", 500, TierKind.Standard, RuleAction.Deny) { Policies = new([policy]) }]);
        var reference = new PolicyEvaluator(snapshot, model);
        var decided = new int[2];
        foreach (var options in new CalculationOptions[]
        {
            new(),
            new() { IndexThreshold = 0 },
            new() { ChunkThreshold = 0, ChunkRules = 1 },
            new() { PackFromEndpoints = 0, BatchPrefetchFromEndpoints = 0 },
        })
        {
            var engine = CalculationEngine.Build(snapshot, model, options);
            var mismatches = new List<string>();
            void Compare(FlowEnd from, FlowEnd to, Protocol protocol, int port)
            {
                var expected = reference.Evaluate(new Flow(from, to, protocol, port));
                var (source, destination) = (from.Workload is { } f ? engine.EndpointHandle(f.Id) : -1, to.Workload is { } t ? engine.EndpointHandle(t.Id) : -1);
                var actual = engine.Evaluate(source, from.Workload is null ? from.Address : null, destination, to.Workload is null ? to.Address : null, protocol, port);
                var (e, a) = direction == Direction.Ingress ? (expected.Ingress, actual.Ingress) : (expected.Egress, actual.Egress);
                if (e.Allowed != a.Allowed || e.Reason != a.Reason || e.Rule?.Origin != engine.RuleOf(a)?.Origin)
                {
                    mismatches.Add($"{from} -> {to} {port}/{protocol}: reference {e.Reason} {e.Rule?.Origin.Index}, engine {a.Reason} {engine.RuleOf(a)?.Origin.Index}");
                }

                if (e.Rule is { } r)
                {
                    decided[r.Origin.Index]++;
                }
            }

            foreach (var from in snapshot.Workloads)
            {
                foreach (var to in snapshot.Workloads)
                {
                    foreach (var (port, protocol) in Ports)
                    {
                        Compare(FlowEnd.Of(from), FlowEnd.Of(to), protocol, port);
                    }
                }

                foreach (var address in Outside)
                {
                    foreach (var (port, protocol) in Ports)
                    {
                        Compare(FlowEnd.Of(from), FlowEnd.Of(address), protocol, port);
                        Compare(FlowEnd.Of(address), FlowEnd.Of(from), protocol, port);
                    }
                }
            }

            Assert.True(mismatches.Count == 0, $"{shape}, {options}:\n{string.Join("\n", mismatches.Take(20))}");
        }

        // The shape's rule decides some flows and lets others through to the next rule (except the shapes flows never
        // match, having no ICMP type or source port): a test of it that always or never matched would differ above.
        Assert.True(decided[1] > 0, $"{shape}: the allow-all rule decided nothing");
        Assert.True(shape is "icmp-type" or "source-ports" ? decided[0] == 0 : decided[0] > 0, $"{shape}: the shape's rule decided {decided[0]} flows");
    }

    /// <summary>Whether the rule compiler gives <paramref name="rule"/> the common shape (judged on the flat fields of simple rules).</summary>
    private static bool IsSimple(Policy policy, Rule rule, Direction direction)
    {
        var next = 0;
        var compiler = new RuleCompiler(_ => next++, _ => { });
        var state = new PolicyState { Id = 0, Stamp = 1, Key = "shape", Policy = policy, Tier = new TierState { Id = 0, Tier = new Tier("security", 500, TierKind.Standard, RuleAction.Deny) } };
        return TierProgramCompiler.IsSimple(compiler.Compile(state, new([rule]), direction)[0]);
    }

    private static ClusterSnapshot Cluster()
    {
        static Workload Pod(string ns, string name, string app, params string[] addresses) => new(ns, name, "Pod", LabelSet.Of("app", app))
        {
            Addresses = new([.. addresses.Select(IPAddress.Parse)]),
            Ports = new([new ContainerPort("http", 80, Protocol.Tcp)]),
        };

        var namespaces = new[] { new NamespaceInfo("a", LabelSet.Of(NamespaceInfo.NameLabel, "a")), new NamespaceInfo("b", LabelSet.Of(NamespaceInfo.NameLabel, "b")) };
        var workloads = new[]
        {
            Pod("a", "web1", "web", "10.0.0.1"),
            Pod("a", "db1", "db", "10.1.0.5"),
            Pod("a", "cache1", "cache"),
            Pod("b", "web2", "web", "10.0.0.2", "fd00::2"),
            Pod("b", "api6", "api", "fd00::9"),
            Pod("b", "multi", "db", "10.1.0.7", "10.0.0.7"),
            Pod("b", "host", "agent", "172.16.0.10") with { HostNetwork = true },
        };
        var nodes = new[]
        {
            new NodeInfo("node1", LabelSet.Of("role", "worker")) { Addresses = new([IPAddress.Parse("172.16.0.10")]) },
            new NodeInfo("node2", LabelSet.Of("role", "master")) { Addresses = new([IPAddress.Parse("172.16.0.11"), IPAddress.Parse("172.16.0.0")]) },
        };
        var sets = new[]
        {
            new NetworkSetInfo(null, "outside", LabelSet.Of("role", "scanner"), new([Block("192.0.2.0/28")])),
            new NetworkSetInfo(null, "partners", LabelSet.Of("role", "partner"), new([Block("10.9.0.0/30")])),
        };
        return new ClusterSnapshot(namespaces, workloads, [], nodes, sets);
    }
}
