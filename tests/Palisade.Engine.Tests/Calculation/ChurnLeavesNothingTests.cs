using Palisade.Engine.Calculation;
using Palisade.Model;
using Palisade.Model.Cluster;
using Palisade.Model.Policies;
using Palisade.Model.Selectors;

namespace Palisade.Engine.Tests.Calculation;

/// <summary>
/// A long-running engine does not grow with churn: after random updates, every table, index and pending-work set holds
/// as many entries as in an engine built from scratch on the final state. An entry a removal forgets to drop (a
/// selector's index key, a shared run, a peer block, a list) shows as a larger count.
/// </summary>
public sealed class ChurnLeavesNothingTests
{
    [Theory]
    [MemberData(nameof(IncrementalEquivalenceTests.ChurnSeeds), MemberType = typeof(IncrementalEquivalenceTests))]
    public void AfterRandomUpdates_EveryTableIsTheSizeOfAFreshBuild(int seed)
    {
        var world = new RandomWorld(seed);
        var options = IncrementalEquivalenceTests.Options(seed);
        var engine = CalculationEngine.Build(world.Snapshot(), world.Model(), options);
        world.Churn(engine, 400, seed);
        var fresh = CalculationEngine.Build(world.Snapshot(), world.Model(), options);
        var churned = engine.Census();
        Assert.Equal(fresh.Census().Select(c => c.Table), churned.Select(c => c.Table));
        var grown = fresh.Census().Zip(churned, (f, c) => (f.Table, Fresh: f.Count, Churned: c.Count)).Where(t => t.Fresh != t.Churned).ToList();
        Assert.True(grown.Count == 0, string.Join("; ", grown.Select(t => $"{t.Table}: {t.Churned} after churn, {t.Fresh} fresh")));

        // The census is of something: the world's endpoints, when churn left any.
        Assert.Contains(churned, c => c.Table == "endpoints" && c.Count == world.Workloads.Count);
        Assert.Contains(churned, c => c.Table == "namespaces" && c.Count > 0);
    }

    [Fact]
    public void PodsOfNamespacesAndAccountsNeverDeclared_LeaveNoCachedLabelsWhenGone()
    {
        // A Calico policy over every pod, with a rule on a Calico selector: the engine computes each pod's Calico labels
        // (its namespace's and its service account's), for namespaces and accounts no object declares, as CI jobs do.
        var model = IngressOnEveryPodFrom(new Peer { CalicoScope = true, Selector = Selector.Equal("projectcalico.org/serviceaccount", "runner-1") });
        var engine = CalculationEngine.Build(new ClusterSnapshot([], [], []), model);
        var empty = engine.Census();

        for (var i = 0; i < 40; i++)
        {
            var pod = new Workload($"ci-{i}", "job", "Pod", LabelSet.Of("app", "job")) { ServiceAccount = $"runner-{i}" };
            engine.UpsertWorkload(pod);
            engine.Flush();
            var probe = engine.Evaluate(-1, System.Net.IPAddress.Parse("192.0.2.1"), engine.EndpointHandle(pod.Id), null, Protocol.Tcp, 80);
            Assert.False(probe.Allowed);
            engine.RemoveWorkload(pod.Id);
            engine.Flush();
        }

        var after = engine.Census();
        Assert.Equal(empty, after);
    }

    [Fact]
    public void NetworkSetsOfANamespaceNeverDeclared_LeaveNoCachedLabelsWhenGone()
    {
        // A Calico rule from a namespace selector: network sets are matched by their namespace's labels too.
        var model = IngressOnEveryPodFrom(new Peer { CalicoScope = true, NamespaceSelector = Selector.All, Selector = Selector.Equal("role", "partner") });
        var pod = new Workload("shop", "web", "Pod", LabelSet.Of("app", "web"));
        var engine = CalculationEngine.Build(new ClusterSnapshot([], [pod], []), model);
        var before = engine.Census();

        for (var i = 0; i < 20; i++)
        {
            var set = new NetworkSetInfo($"partners-{i}", "office", LabelSet.Of("role", "partner"), [new CidrBlock(System.Net.IPNetwork.Parse("198.51.100.0/24"))]);
            engine.UpsertNetworkSet(set);
            engine.Flush();
            var probe = engine.Evaluate(-1, System.Net.IPAddress.Parse("198.51.100.7"), engine.EndpointHandle(pod.Id), null, Protocol.Tcp, 80);
            Assert.True(probe.Allowed);
            engine.RemoveNetworkSet(set.Id);
            engine.Flush();
        }

        Assert.Equal(before, engine.Census());
    }

    [Fact]
    public void TierGone_IsRemovedOnceItsPoliciesAre()
    {
        var model = IngressOnEveryPodFrom(new Peer { CalicoScope = true, Selector = Selector.Equal("app", "client") });
        var engine = CalculationEngine.Build(new ClusterSnapshot([], [new Workload("shop", "web", "Pod", LabelSet.Of("app", "web"))], []), model);
        var before = engine.Census();
        var policy = model.Tiers[0].Policies[0] with { Name = "security-only" };
        engine.UpsertTier(new Tier("security", 100, TierKind.Standard, RuleAction.Pass));
        engine.UpsertPolicy("security", policy);
        engine.Flush();
        Assert.Equal(2, engine.TierCount);

        Assert.False(engine.RemoveTier("security"));
        engine.RemovePolicy(CalculationEngine.PolicyKey(policy));
        engine.Flush();
        Assert.True(engine.RemoveTier("security"));
        Assert.False(engine.RemoveTier("security"));
        Assert.Equal(before, engine.Census());
    }

    /// <summary>A Calico global policy over every pod whose one ingress rule allows <paramref name="from"/>.</summary>
    private static PolicyModel IngressOnEveryPodFrom(Peer from)
    {
        var source = new SourceRef("projectcalico.org/v3", "GlobalNetworkPolicy", null, "ingress");
        var rule = new Rule(RuleAction.Allow, new EntityMatch { Peers = [from] }, EntityMatch.Any, new RuleOrigin(source, "spec.ingress[0]", 0));
        var policy = new Policy("ingress", source, new Peer { CalicoScope = true, Selector = Selector.All }) { GovernsIngress = true, IngressRules = [rule] };
        return new PolicyModel([new Tier(PolicyModel.DefaultTierName, 1_000_000, TierKind.Standard, RuleAction.Deny) { Policies = [policy] }]);
    }
}
