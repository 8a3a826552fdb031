using System.Net;
using Palisade.Engine.Evaluation;
using Palisade.Engine.Explain;
using Palisade.Model;
using Palisade.Model.Cluster;
using Palisade.Model.Policies;
using Palisade.Model.Selectors;

namespace Palisade.Engine.Tests.Oracle;

/// <summary>
/// The tier walk: first Allow/Deny decides, Pass skips a tier, Log goes on, tier ends, default allow. Each answer is the
/// oracle's, and the production explainer (through the engine) must give the same one, word for word.
/// </summary>
public sealed class EvaluatorTests
{
    private static readonly SourceRef Src = new("test/v1", "TestPolicy", null, "t");

    private static readonly Workload Web = new("shop", "web", "Pod", LabelSet.Of("app", "web"))
    {
        Addresses = new([IPAddress.Parse("10.0.0.1")]),
        Ports = new([new ContainerPort("http", 8080, Protocol.Tcp)]),
    };

    private static readonly Workload Db = new("data", "db", "Pod", LabelSet.Of("app", "db"))
    {
        Addresses = new([IPAddress.Parse("10.0.0.2")]),
        Ports = new([new ContainerPort("pg", 5432, Protocol.Tcp)]),
    };

    private static readonly Workload Host = new("kube-system", "node-agent", "Pod", LabelSet.Of("app", "agent"))
    {
        HostNetwork = true,
        Addresses = new([IPAddress.Parse("192.168.0.10")]),
    };

    private static ClusterSnapshot Cluster() => new(
        [new NamespaceInfo("shop", LabelSet.Of("zone", "dmz")), new NamespaceInfo("data", LabelSet.Of("zone", "internal")), new NamespaceInfo("kube-system", LabelSet.Empty)],
        [Web, Db, Host],
        []);

    private static Rule R(RuleAction action, EntityMatch? source = null, EntityMatch? destination = null, int index = 0) =>
        new(action, source ?? EntityMatch.Any, destination ?? EntityMatch.Any, new RuleOrigin(Src, $"spec.ingress[{index}]", index));

    private static Policy IngressPolicy(string name, Selector appliesTo, params Rule[] rules) =>
        new(name, Src with { Name = name }, new Peer { Selector = appliesTo }) { GovernsIngress = true, IngressRules = new(rules) };

    private static Flow WebToDb(int port = 5432) => new(FlowEnd.Of(Web), FlowEnd.Of(Db), Protocol.Tcp, port);

    private static Judge Evaluator(params Tier[] tiers) => new(Cluster(), new PolicyModel(tiers));

    private static Tier T(string name, double order, RuleAction end, params Policy[] policies) =>
        new(name, order, TierKind.Standard, end) { Policies = new(policies) };

    private static Selector App(string app) => new LabelSelector(
        System.Collections.Immutable.ImmutableSortedDictionary<string, string>.Empty.Add("app", app), []).ToSelector();

    [Fact]
    public void NoPolicies_EverythingAllowed_NotIsolated()
    {
        var v = Evaluator().Evaluate(WebToDb());

        Assert.True(v.Allowed);
        Assert.Equal(VerdictReason.NoPolicyApplies, v.Egress.Reason);
        Assert.Equal(VerdictReason.NoPolicyApplies, v.Ingress.Reason);
    }

    [Fact]
    public void SelectedWithNoMatchingRule_TierEndDeny()
    {
        var v = Evaluator(T("default", 1, RuleAction.Deny, IngressPolicy("deny-all", App("db")))).Evaluate(WebToDb());

        Assert.False(v.Allowed);
        Assert.Equal(VerdictReason.TierEndDenied, v.Ingress.Reason);
        Assert.Equal("default", v.Ingress.Tier!.Name);
        Assert.True(v.Egress.Allowed);
    }

    [Fact]
    public void FirstMatchingRuleDecides_DenyBeforeAllow()
    {
        var v = Evaluator(T("t", 1, RuleAction.Deny, IngressPolicy("p", App("db"), R(RuleAction.Deny, index: 0), R(RuleAction.Allow, index: 1))))
            .Evaluate(WebToDb());

        Assert.False(v.Allowed);
        Assert.Equal(VerdictReason.RuleDenied, v.Ingress.Reason);
        Assert.Equal(0, v.Ingress.Rule!.Origin.Index);
    }

    [Fact]
    public void PoliciesInOrder_LowerOrderFirst()
    {
        var allow = IngressPolicy("b-allow", App("db"), R(RuleAction.Allow)) with { Order = 10 };
        var deny = IngressPolicy("a-deny", App("db"), R(RuleAction.Deny)) with { Order = 20 };
        var v = Evaluator(T("t", 1, RuleAction.Deny, deny, allow)).Evaluate(WebToDb());

        Assert.True(v.Allowed);
        Assert.Equal("b-allow", v.Ingress.Policy!.Name);
    }

    [Fact]
    public void Pass_SkipsRestOfTier_NextTierDecides()
    {
        var pass = IngressPolicy("pass", App("db"), R(RuleAction.Pass)) with { Order = 1 };
        var denyLater = IngressPolicy("deny", App("db"), R(RuleAction.Deny)) with { Order = 2 };
        var allow = IngressPolicy("allow", App("db"), R(RuleAction.Allow));
        var v = Evaluator(T("first", 1, RuleAction.Deny, pass, denyLater), T("second", 2, RuleAction.Deny, allow)).Evaluate(WebToDb());

        Assert.True(v.Allowed);
        Assert.Equal("second", v.Ingress.Tier!.Name);
        Assert.Contains(v.Ingress.Steps, s => s.Kind == StepKind.Passed && s.Policy!.Name == "pass");
        Assert.DoesNotContain(v.Ingress.Steps, s => s.Policy?.Name == "deny");
    }

    [Fact]
    public void Pass_InLastTier_FallsToDefaultAllow()
    {
        var v = Evaluator(T("only", 1, RuleAction.Deny, IngressPolicy("pass", App("db"), R(RuleAction.Pass)))).Evaluate(WebToDb());

        Assert.True(v.Allowed);
        Assert.Equal(VerdictReason.PassedAllTiers, v.Ingress.Reason);
    }

    [Fact]
    public void Log_IsRecorded_AndEvaluationContinues()
    {
        var v = Evaluator(T("t", 1, RuleAction.Deny, IngressPolicy("p", App("db"), R(RuleAction.Log, index: 0), R(RuleAction.Deny, index: 1))))
            .Evaluate(WebToDb());

        Assert.False(v.Allowed);
        Assert.Equal(1, v.Ingress.Rule!.Origin.Index);
        Assert.Contains(v.Ingress.Steps, s => s.Kind == StepKind.Logged);
    }

    [Fact]
    public void TierWithPassEnd_UnmatchedFlowGoesOn()
    {
        var admin = new Tier("admin", 0, TierKind.Admin, RuleAction.Pass) { Policies = new([IngressPolicy("anp", App("db"), R(RuleAction.Deny, source: new EntityMatch { Peers = new([new Peer { Selector = App("nobody") }]) }))]) };
        var v = Evaluator(admin).Evaluate(WebToDb());

        Assert.True(v.Allowed);
        Assert.Equal(VerdictReason.PassedAllTiers, v.Ingress.Reason);
        Assert.Contains(v.Ingress.Steps, s => s.Kind == StepKind.TierPassed);
    }

    [Fact]
    public void StagedPolicy_IsNotEnforced()
    {
        var staged = IngressPolicy("staged-deny", App("db"), R(RuleAction.Deny)) with { Staged = true };
        var v = Evaluator(T("t", 1, RuleAction.Deny, staged)).Evaluate(WebToDb());

        Assert.True(v.Allowed);
        Assert.Equal(VerdictReason.NoPolicyApplies, v.Ingress.Reason);
    }

    [Fact]
    public void HostNetworkWorkload_IsNeverIsolated_AndMatchesOnlyByAddress()
    {
        var denyAll = new Policy("deny", Src, new Peer { Selector = Selector.All }) { GovernsIngress = true, GovernsEgress = true };
        var evaluator = Evaluator(T("t", 1, RuleAction.Deny, denyAll));

        var toHost = evaluator.Evaluate(new Flow(FlowEnd.Of(Db), FlowEnd.Of(Host), Protocol.Tcp, 10250));
        Assert.Equal(VerdictReason.HostNetwork, toHost.Ingress.Reason);
        Assert.True(toHost.Ingress.Allowed);

        var bySelector = IngressPolicy("from-agent", App("db"), R(RuleAction.Allow, source: new EntityMatch { Peers = new([new Peer { Selector = App("agent") }]) }));
        var byAddress = IngressPolicy("from-node", App("db"), R(RuleAction.Allow, source: new EntityMatch { Peers = new([new Peer { Nets = new([new CidrBlock(IPNetwork.Parse("192.168.0.0/24"))]) }]) }));
        var flow = new Flow(FlowEnd.Of(Host), FlowEnd.Of(Db), Protocol.Tcp, 5432);
        Assert.False(Evaluator(T("t", 1, RuleAction.Deny, bySelector)).Evaluate(flow).Allowed);
        Assert.True(Evaluator(T("t", 1, RuleAction.Deny, byAddress)).Evaluate(flow).Allowed);
    }

    [Fact]
    public void OutsideAddress_IsMatchedByCidrButNotBySelector()
    {
        var fromSelector = IngressPolicy("sel", App("db"), R(RuleAction.Allow, source: new EntityMatch { Peers = new([new Peer { Selector = Selector.All, NamespaceSelector = Selector.All }]) }));
        var fromCidr = IngressPolicy("cidr", App("db"), R(RuleAction.Allow, source: new EntityMatch { Peers = new([new Peer { Nets = new([new CidrBlock(IPNetwork.Parse("203.0.113.0/24"), new([IPNetwork.Parse("203.0.113.128/25")]))]) }]) }));
        var outside = new Flow(FlowEnd.Of(IPAddress.Parse("203.0.113.7")), FlowEnd.Of(Db), Protocol.Tcp, 5432);
        var excepted = new Flow(FlowEnd.Of(IPAddress.Parse("203.0.113.200")), FlowEnd.Of(Db), Protocol.Tcp, 5432);

        Assert.False(Evaluator(T("t", 1, RuleAction.Deny, fromSelector)).Evaluate(outside).Allowed);
        Assert.True(Evaluator(T("t", 1, RuleAction.Deny, fromCidr)).Evaluate(outside).Allowed);
        Assert.False(Evaluator(T("t", 1, RuleAction.Deny, fromCidr)).Evaluate(excepted).Allowed);
        Assert.Equal(VerdictReason.NotAWorkload, Evaluator(T("t", 1, RuleAction.Deny, fromCidr)).Evaluate(outside).Egress.Reason);
    }

    [Theory]
    [InlineData(5432, true)]
    [InlineData(5433, false)]
    public void NamedPort_ResolvesAgainstTheDestination(int port, bool allowed)
    {
        var p = IngressPolicy("named", App("db"), R(RuleAction.Allow, destination: new EntityMatch { Ports = new([PortMatch.Named("pg", Protocol.Tcp)]) }));

        Assert.Equal(allowed, Evaluator(T("t", 1, RuleAction.Deny, p)).Evaluate(WebToDb(port)).Allowed);
    }

    [Fact]
    public void NamedPort_OfAnotherProtocol_DoesNotMatch()
    {
        var p = IngressPolicy("named", App("db"), R(RuleAction.Allow, destination: new EntityMatch { Ports = new([PortMatch.Named("pg", Protocol.Udp)]) }));

        Assert.False(Evaluator(T("t", 1, RuleAction.Deny, p)).Evaluate(WebToDb()).Allowed);
    }

    [Theory]
    [InlineData(5000, true)]
    [InlineData(5010, true)]
    [InlineData(5011, false)]
    [InlineData(4999, false)]
    public void PortRange_IsInclusive(int port, bool allowed)
    {
        var p = IngressPolicy("range", App("db"), R(RuleAction.Allow, destination: new EntityMatch { Ports = new([PortMatch.Range(5000, 5010, Protocol.Tcp)]) }));

        Assert.Equal(allowed, Evaluator(T("t", 1, RuleAction.Deny, p)).Evaluate(WebToDb(port)).Allowed);
    }

    [Fact]
    public void NamespaceSelectorAndSelector_InOnePeer_MeanAnd()
    {
        var zone = new LabelSelector(System.Collections.Immutable.ImmutableSortedDictionary<string, string>.Empty.Add("zone", "dmz"), []).ToSelector();
        var both = new Peer { NamespaceSelector = zone, Selector = App("web") };
        var wrongApp = new Peer { NamespaceSelector = zone, Selector = App("db") };

        Assert.True(Evaluator(T("t", 1, RuleAction.Deny, IngressPolicy("p", App("db"), R(RuleAction.Allow, source: new EntityMatch { Peers = new([both]) })))).Evaluate(WebToDb()).Allowed);
        Assert.False(Evaluator(T("t", 1, RuleAction.Deny, IngressPolicy("p", App("db"), R(RuleAction.Allow, source: new EntityMatch { Peers = new([wrongApp]) })))).Evaluate(WebToDb()).Allowed);
    }

    [Fact]
    public void ProtocolAndNotProtocol_AreHonoured()
    {
        var udpOnly = IngressPolicy("udp", App("db"), R(RuleAction.Allow) with { Protocol = Protocol.Udp });
        var notTcp = IngressPolicy("not-tcp", App("db"), R(RuleAction.Allow) with { NotProtocol = Protocol.Tcp });

        Assert.False(Evaluator(T("t", 1, RuleAction.Deny, udpOnly)).Evaluate(WebToDb()).Allowed);
        Assert.False(Evaluator(T("t", 1, RuleAction.Deny, notTcp)).Evaluate(WebToDb()).Allowed);
        Assert.True(Evaluator(T("t", 1, RuleAction.Deny, notTcp)).Evaluate(WebToDb() with { Protocol = Protocol.Udp }).Allowed);
    }

    [Fact]
    public void Explanation_NamesPolicyRuleAndTier()
    {
        var rule = new Rule(RuleAction.Allow, EntityMatch.Any, EntityMatch.Any, new RuleOrigin(Src with { Name = "allow-web" }, "spec.ingress[2]", 2));
        var p = IngressPolicy("allow-web", App("db"), rule);
        var v = Evaluator(T("default", 1, RuleAction.Deny, p)).Evaluate(WebToDb());

        Assert.Equal("ingress: allowed by TestPolicy allow-web spec.ingress[2] in tier default", v.Ingress.Explain("data/db"));
    }

    /// <summary>The oracle and the production explainer on one model: answers are the oracle's, checked equal to the engine's.</summary>
    private sealed class Judge(ClusterSnapshot cluster, PolicyModel model)
    {
        private readonly PolicyEvaluator oracle = new(cluster, model);
        private readonly FlowExplainer explainer = new(cluster, model);

        public FlowVerdict Evaluate(Flow flow)
        {
            var expected = oracle.Evaluate(flow);

            Assert.Equal(CheckAnswer.Describe(expected, oracle.WhyNot), CheckAnswer.Describe(explainer.Explain(flow), explainer.WhyNot));
            return expected;
        }
    }
}
