using Palisade.Agent;
using Palisade.Dataplane.Nftables;
using Palisade.Dataplane.Nftables.Model;
using Palisade.Engine.Calculation;
using Palisade.Manifests;

namespace Palisade.Agent.Tests;

/// <summary>Every ruleset the agent's pipeline renders along a stream of policy edits holds what each state allows.</summary>
public sealed class RenderSequenceTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("palisade-render-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void AlternatingPolicyEdits_EveryRenderedState_AllowsThePortBothStatesAllow_AndSetsStay()
    {
        File.WriteAllText(Path.Combine(dir, "cluster.yaml"), EnforcementTests.Header);
        var engine = new CalculationEngine();
        var sync = new StateSync(engine);
        var renderer = new RulesetRenderer(new RuleCatalog());
        var cache = new ParseCache();
        NftTable? applied = null;
        for (var i = 0; i < 200; i++)
        {
            File.WriteAllText(Path.Combine(dir, "policy.yaml"), EnforcementTests.AllowPolicy(i % 2 == 0 ? [8080, 8081] : [8080]));
            var loaded = new ManifestLoader().Load([dir], cache);
            Assert.True(loaded.Succeeded);
            sync.Apply(loaded.Cluster, loaded.Policies);
            var desired = renderer.Render(engine, EnforcementTests.Locals, (uint)i + 1);
            var text = RulesetDiff.Replace(desired);
            Assert.True(text.Contains("8080", StringComparison.Ordinal) && text.Contains("10.99.0.1", StringComparison.Ordinal), $"change {i}: {text}");
            if (applied is not null)
            {
                // Only the ports change: the selector sets stay as they are (a set deleted and created again in every
                // change would be churn for the kernel and for every reader of the sets).
                var tx = RulesetDiff.Transaction(applied, desired);
                Assert.DoesNotContain("add set", tx, StringComparison.Ordinal);
                Assert.DoesNotContain("delete set", tx, StringComparison.Ordinal);
                Assert.Contains("8080", tx, StringComparison.Ordinal);
            }

            applied = desired;
        }
    }

    [Fact]
    public void TierRemovedFromTheManifests_LeavesTheEngine()
    {
        File.WriteAllText(Path.Combine(dir, "cluster.yaml"), EnforcementTests.Header);
        File.WriteAllText(Path.Combine(dir, "tier.yaml"), """
            apiVersion: projectcalico.org/v3
            kind: Tier
            metadata:
              name: security
            spec:
              order: 100
            ---
            apiVersion: projectcalico.org/v3
            kind: GlobalNetworkPolicy
            metadata:
              name: security.block-scanners
            spec:
              tier: security
              selector: all()
              types: [Ingress]
              ingress:
              - action: Deny
                source:
                  nets: [203.0.113.0/24]
            """);
        var engine = new CalculationEngine();
        var sync = new StateSync(engine);
        var loaded = new ManifestLoader().Load([dir]);
        Assert.True(loaded.Succeeded, string.Join("; ", loaded.Errors));
        sync.Apply(loaded.Cluster, loaded.Policies);
        var withTier = engine.TierCount;

        File.Delete(Path.Combine(dir, "tier.yaml"));
        loaded = new ManifestLoader().Load([dir]);
        sync.Apply(loaded.Cluster, loaded.Policies);
        Assert.Equal(withTier - 1, engine.TierCount);
        Assert.Equal(CalculationEngine.Build(loaded.Cluster, loaded.Policies).TierCount, engine.TierCount);
    }
}
