using System.Collections.Immutable;
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
/// A long program finds the rule that decides, whatever its length. With an index: the rules of every selector it is
/// keyed by, for few keys (binary search), a short list scanned eight keys at a time (a multiple of eight or not, the
/// last block overlapping the one before), and long lists (binary search again). Without an index: the rules whose
/// filters the remote pod passes, 64 rules a block.
/// </summary>
public sealed class LongProgramTests
{
    private const string Ns = "shop";

    [Theory]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(41)]
    [InlineData(128)]
    [InlineData(129)]
    [InlineData(150)]
    public void Indexed_EveryKeyedClient_IsAllowedOnItsOwnPortOnly(int clients) => EveryClientIsAllowedOnItsOwnPortOnly(clients, indexThreshold: 0);

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(17)]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(65)]
    [InlineData(150)]
    public void Filtered_EveryClient_IsAllowedOnItsOwnPortOnly(int clients) => EveryClientIsAllowedOnItsOwnPortOnly(clients, indexThreshold: int.MaxValue);

    private static void EveryClientIsAllowedOnItsOwnPortOnly(int clients, int indexThreshold)
    {
        var workloads = new List<Workload> { Pod("target", "target", 0) };
        var policies = new List<Policy>();
        for (var i = 0; i < clients; i++)
        {
            workloads.Add(Pod($"client-{i}", $"c{i}", i + 1));
            policies.Add(FromClient(i));
        }

        // A client in no rule of the target's; every client is also in a selector that is no key of the target's program
        // (a rule of a policy on other pods), so that each search also looks for a key that is not there.
        workloads.Add(Pod("stranger", "zz", clients + 1));
        policies.Add(ClientsToNobody());
        var snapshot = new ClusterSnapshot([new NamespaceInfo(Ns, LabelSet.Of(NamespaceInfo.NameLabel, Ns))], workloads, []);
        var model = new PolicyModel([new Tier(PolicyModel.DefaultTierName, 1_000_000, TierKind.Standard, RuleAction.Deny) { Policies = [.. policies] }]);
        var engine = CalculationEngine.Build(snapshot, model, new CalculationOptions { IndexThreshold = indexThreshold });
        var reference = new PolicyEvaluator(snapshot, model);
        var target = engine.EndpointHandle($"{Ns}/target");

        // Every client, on its own port and on two others (the first and the last client's).
        int[] probes = [-1, 0, clients - 1];
        for (var i = 0; i <= clients; i++)
        {
            var from = workloads[i + 1];
            foreach (var j in probes.Select(p => p < 0 ? i : p).Distinct())
            {
                var port = 9000 + j;
                var verdict = engine.Evaluate(engine.EndpointHandle(from.Id), target, Protocol.Tcp, port);
                Assert.True(i == j && i < clients ? verdict.Allowed : !verdict.Allowed, $"{from.Id} -> target {port}: {verdict}");
                Assert.Equal(reference.Evaluate(new Flow(FlowEnd.Of(from), FlowEnd.Of(workloads[0]), Protocol.Tcp, port)).Allowed, verdict.Allowed);
            }
        }
    }

    /// <summary>
    /// A rule open to any remote end lets through a pod that no selector holds (here, in a namespace no policy names):
    /// its signature has no selector's bit, yet it must pass that rule's filter, in a program long enough to have
    /// filters (<see cref="TierProgram.FilterFrom"/> rules or more) and in one with an index.
    /// </summary>
    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(0)]
    public void AnyRemoteRule_AllowsAPodInNoSelector(int indexThreshold)
    {
        var workloads = new List<Workload> { Pod("target", "target", 0) };
        var policies = new List<Policy> { ToTargetFromAnywhere(8080) };
        for (var i = 0; i < TierProgram.FilterFrom; i++)
        {
            workloads.Add(Pod($"client-{i}", $"c{i}", i + 1));
            policies.Add(FromClient(i));
        }

        var stranger = new Workload("elsewhere", "stranger", "Pod", LabelSet.Of("app", "stranger")) { Addresses = new([IPAddress.Parse("10.9.0.1")]) };
        workloads.Add(stranger);
        var snapshot = new ClusterSnapshot(
            [new NamespaceInfo(Ns, LabelSet.Of(NamespaceInfo.NameLabel, Ns)), new NamespaceInfo("elsewhere", LabelSet.Of(NamespaceInfo.NameLabel, "elsewhere"))],
            workloads,
            []);
        var model = new PolicyModel([new Tier(PolicyModel.DefaultTierName, 1_000_000, TierKind.Standard, RuleAction.Deny) { Policies = [.. policies] }]);
        var engine = CalculationEngine.Build(snapshot, model, new CalculationOptions { IndexThreshold = indexThreshold });
        var reference = new PolicyEvaluator(snapshot, model);
        foreach (var (port, allowed) in new[] { (8080, true), (9000, false) })
        {
            var verdict = engine.Evaluate(engine.EndpointHandle(stranger.Id), engine.EndpointHandle($"{Ns}/target"), Protocol.Tcp, port);
            Assert.True(verdict.Allowed == allowed, $"stranger -> target {port}: {verdict}");
            Assert.Equal(reference.Evaluate(new Flow(FlowEnd.Of(stranger), FlowEnd.Of(workloads[0]), Protocol.Tcp, port)).Allowed, verdict.Allowed);
        }
    }

    /// <summary>A NetworkPolicy on the target allowing any remote end on <paramref name="port"/>.</summary>
    private static Policy ToTargetFromAnywhere(int port) => ToTarget("from-anywhere", EntityMatch.Any, port);

    private static Workload Pod(string name, string app, int octet) =>
        new(Ns, name, "Pod", LabelSet.Of("app", app, "role", "client"))
        {
            Addresses = new([IPAddress.Parse($"10.0.{octet >> 8}.{octet & 255}")]),
            Ports = new([new ContainerPort("http", 9000, Protocol.Tcp)]),
        };

    /// <summary>A NetworkPolicy on pods that do not exist, naming every client in its rule.</summary>
    private static Policy ClientsToNobody()
    {
        var source = new SourceRef("networking.k8s.io/v1", "NetworkPolicy", Ns, "nobody");
        var rule = new Rule(
            RuleAction.Allow,
            new EntityMatch { Peers = [new Peer { Namespace = Ns, Selector = Selector.Equal("role", "client") }] },
            EntityMatch.Any,
            new RuleOrigin(source, "spec.ingress[0]", 0));
        return new Policy("nobody", source, new Peer { Namespace = Ns, Selector = Selector.Equal("app", "nobody") })
        {
            Namespace = Ns,
            Order = PolicyModel.KubernetesPolicyOrder,
            GovernsIngress = true,
            IngressRules = ImmutableArray.Create(rule),
        };
    }

    /// <summary>A NetworkPolicy on the target allowing client <paramref name="i"/> (by its own selector) on port 9000 + i.</summary>
    private static Policy FromClient(int i) =>
        ToTarget($"from-c{i}", new EntityMatch { Peers = [new Peer { Namespace = Ns, Selector = Selector.Equal("app", $"c{i}") }] }, 9000 + i);

    /// <summary>A NetworkPolicy on the target allowing <paramref name="from"/> on <paramref name="port"/>.</summary>
    private static Policy ToTarget(string name, EntityMatch from, int port)
    {
        var source = new SourceRef("networking.k8s.io/v1", "NetworkPolicy", Ns, name);
        var rule = new Rule(
            RuleAction.Allow,
            from,
            new EntityMatch { Ports = [PortMatch.Single(port, Protocol.Tcp)] },
            new RuleOrigin(source, "spec.ingress[0]", 0));
        return new Policy(name, source, new Peer { Namespace = Ns, Selector = Selector.Equal("app", "target") })
        {
            Namespace = Ns,
            Order = PolicyModel.KubernetesPolicyOrder,
            GovernsIngress = true,
            IngressRules = ImmutableArray.Create(rule),
        };
    }
}
