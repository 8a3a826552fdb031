using Palisade.Agent;
using Palisade.Dataplane.Nftables;
using Palisade.Dataplane.Nftables.Model;
using Palisade.Engine.Calculation;
using Palisade.Manifests;

namespace Palisade.Cli.Tests.Dataplane;

/// <summary>Every ruleset the agent's pipeline renders along a stream of policy edits holds what each state allows.</summary>
public sealed class RenderSequenceTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("palisade-render-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void AlternatingPolicyEdits_EveryRenderedState_AllowsThePortBothStatesAllow_AndSetsStay()
    {
        File.WriteAllText(Path.Combine(dir, "cluster.yaml"), """
            apiVersion: v1
            kind: Pod
            metadata: {name: client, namespace: bench, labels: {app: client}}
            status: {podIP: 10.99.0.1}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: server, namespace: bench, labels: {app: server}}
            status: {podIP: 10.99.1.1}
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: default-deny, namespace: bench}
            spec: {podSelector: {}, policyTypes: [Ingress]}
            """);
        var engine = new CalculationEngine();
        var sync = new StateSync(engine);
        var renderer = new RulesetRenderer(new RuleCatalog());
        var cache = new ParseCache();
        List<RulesetRenderer.LocalEndpoint> locals = [new("bench/client", "palbc"), new("bench/server", "palbs")];
        NftTable? applied = null;
        for (var i = 0; i < 200; i++)
        {
            var ports = i % 2 == 0 ? "[{port: 8080}, {port: 8081}]" : "[{port: 8080}]";
            File.WriteAllText(Path.Combine(dir, "policy.yaml"), $$"""
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: allow-client, namespace: bench}
                spec:
                  podSelector:
                    matchLabels: {app: server}
                  ingress:
                  - from:
                    - podSelector:
                        matchLabels: {app: client}
                    ports: {{ports}}
                """);
            var loaded = new ManifestLoader().Load([dir], cache);
            Assert.True(loaded.Succeeded);
            sync.Apply(loaded.Cluster, loaded.Policies);
            var desired = renderer.Render(engine, locals, (uint)i + 1);
            var text = RulesetDiff.Replace(desired);
            Assert.True(text.Contains("8080", StringComparison.Ordinal) && text.Contains("10.99.0.1", StringComparison.Ordinal), $"change {i}: {text}");
            if (applied is not null)
            {
                // Only the ports change: the selector sets stay as they are (a set deleted and created again in every
                // change would be churn for the kernel and for every reader of the sets).
                var tx = RulesetDiff.Transaction(applied, desired);
                Assert.DoesNotContain(" set ", tx.Replace("ct mark set", string.Empty, StringComparison.Ordinal).Replace("meta mark set", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
                Assert.Contains("8080", tx, StringComparison.Ordinal);
            }

            applied = desired;
        }
    }
}
