using Palisade.Model;
using Palisade.Model.Policies;

namespace Palisade.Manifests.Tests;

/// <summary>Calico v3 reading: tiers, policy defaults, rule fields, scoping, staged kinds, network sets.</summary>
public sealed class CalicoReaderTests
{
    private static LoadResult Load(string text) => new ManifestLoader().LoadText(text, "calico.yaml");

    [Fact]
    public void Tier_OrderAndDefaultAction_AreRead_AndTiersSortByOrder()
    {
        var result = Load("""
            apiVersion: projectcalico.org/v3
            kind: Tier
            metadata: {name: security}
            spec: {order: 100, defaultAction: Pass}
            ---
            apiVersion: projectcalico.org/v3
            kind: Tier
            metadata: {name: platform}
            spec: {order: 50.5}
            ---
            apiVersion: projectcalico.org/v3
            kind: Tier
            metadata: {name: unordered}
            """);

        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        // The built-in default tier holds no policy here, so the model leaves it out.
        Assert.Equal(["platform", "security", "unordered"], result.Policies.Tiers.Select(t => t.Name));
        Assert.Equal(RuleAction.Pass, result.Policies.Tiers[1].EndAction);
        Assert.Equal(RuleAction.Deny, result.Policies.Tiers[0].EndAction);
        Assert.True(double.IsPositiveInfinity(result.Policies.Tiers[2].Order));
    }

    [Fact]
    public void NetworkPolicy_DefaultsToDefaultTier_AndScopesSelectorsToItsNamespace()
    {
        var result = Load("""
            apiVersion: projectcalico.org/v3
            kind: NetworkPolicy
            metadata: {name: p, namespace: prod}
            spec:
              selector: app == 'db'
              ingress:
              - action: Allow
                protocol: TCP
                source: {selector: app == 'web'}
                destination: {ports: [5432, "6000:6010", pg]}
              - action: Allow
                source: {namespaceSelector: team == 'ops'}
            """);

        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        var policy = Assert.Single(Assert.Single(result.Policies.Tiers).Policies);
        Assert.True(double.IsPositiveInfinity(policy.Order));
        Assert.Equal("prod", policy.AppliesTo.Namespace);
        Assert.True(policy.AppliesTo.CalicoScope);
        Assert.True(policy.GovernsIngress);
        Assert.False(policy.GovernsEgress);
        Assert.Equal("prod", policy.IngressRules[0].Source.Peers[0].Namespace);
        Assert.Null(policy.IngressRules[1].Source.Peers[0].Namespace);
        Assert.Equal(["5432", "6000-6010", "pg"], policy.IngressRules[0].Destination.Ports.Select(p => p.ToString()));
        Assert.Equal(Protocol.Tcp, policy.IngressRules[0].Protocol);
    }

    [Theory]
    [InlineData("", true, false)]
    [InlineData("  ingress: [{action: Allow}]\n", true, false)]
    [InlineData("  egress: [{action: Allow}]\n", false, true)]
    [InlineData("  ingress: [{action: Allow}]\n  egress: [{action: Allow}]\n", true, true)]
    [InlineData("  types: [Egress]\n", false, true)]
    public void Types_DefaultAsCalicoDocuments(string tail, bool ingress, bool egress)
    {
        var result = Load("apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: g}\nspec:\n  selector: all()\n" + tail);

        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        var policy = Assert.Single(result.Policies.Policies);
        Assert.Equal(ingress, policy.GovernsIngress);
        Assert.Equal(egress, policy.GovernsEgress);
    }

    [Theory]
    [InlineData("  selector: app == \n", "spec.selector", "invalid selector")]
    [InlineData("  ingress: [{action: Permit}]\n", "spec.ingress[0].action", "expected Allow, Deny, Log or Pass")]
    [InlineData("  ingress: [{action: Allow, destination: {ports: [80]}}]\n", "spec.ingress[0].destination.ports", "protocol to be TCP")]
    [InlineData("  ingress: [{action: Allow, protocol: TCPX}]\n", "spec.ingress[0].protocol", "unknown protocol")]
    [InlineData("  ingress: [{action: Allow, protocol: TCP, destination: {ports: [\"90:80\"]}}]\n", "spec.ingress[0].destination.ports[0]", "FIRST <= LAST")]
    [InlineData("  ingress: [{action: Allow, source: {nets: [10.0.0.0/40]}}]\n", "spec.ingress[0].source.nets[0]", "expected a CIDR")]
    [InlineData("  ingress: [{action: Allow, icmp: {type: 8}}]\n", "spec.ingress[0].icmp", "protocol ICMP")]
    [InlineData("  types: [Egress]\n  ingress: [{action: Allow}]\n", "spec.ingress", "need \"Ingress\" in spec.types")]
    [InlineData("  order: high\n", "spec.order", "expected a number")]
    [InlineData("  preDNAT: true\n", "spec.preDNAT", "unknown field")]
    public void NetworkPolicy_InvalidInput_IsReportedWithPath(string tail, string path, string message)
    {
        var result = Load("apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {name: p, namespace: prod}\nspec:\n" + tail);

        Assert.False(result.Succeeded);
        var e = result.Errors.First();
        Assert.Equal(path, e.Path);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.Equal("calico.yaml", e.File);
    }

    [Fact]
    public void SelectorParseError_NamesThePositionInsideTheExpression()
    {
        var result = Load("apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: g}\nspec:\n  selector: \"app == 'web' &&\"\n");

        var e = Assert.Single(result.Errors);
        Assert.Equal(5, e.Line);
        Assert.Contains("at position", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HostEndpointOnlyFields_AreAcceptedWithAWarning()
    {
        var result = Load("apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: g}\nspec:\n  selector: all()\n  preDNAT: true\n  applyOnForward: true\n  doNotTrack: false\n");

        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        Assert.Equal(3, result.Warnings.Count());
        Assert.All(result.Warnings, w => Assert.Contains("host endpoints", w.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void PolicyInUndefinedTier_IsAnError()
    {
        var result = Load("apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: g}\nspec:\n  tier: nowhere\n  selector: all()\n");

        var e = Assert.Single(result.Errors);
        Assert.Contains("tier \"nowhere\", which is not defined", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StagedKinds_AreStaged_WithTargets()
    {
        var result = Load("""
            apiVersion: projectcalico.org/v3
            kind: StagedNetworkPolicy
            metadata: {name: p, namespace: prod}
            spec: {selector: all(), stagedAction: Set}
            ---
            apiVersion: projectcalico.org/v3
            kind: StagedGlobalNetworkPolicy
            metadata: {name: g}
            spec: {selector: all(), stagedAction: Delete}
            ---
            apiVersion: projectcalico.org/v3
            kind: StagedKubernetesNetworkPolicy
            metadata: {name: k, namespace: prod}
            spec: {podSelector: {}}
            """);

        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        var policies = result.Policies.Policies.ToDictionary(p => p.Name);
        Assert.All(policies.Values, p => Assert.True(p.Staged));
        Assert.Equal("projectcalico.org/v3 NetworkPolicy prod/p", policies["p"].StagedTarget);
        Assert.True(policies["g"].StagedDeletion);
        Assert.Equal("networking.k8s.io/v1 NetworkPolicy prod/k", policies["k"].StagedTarget);
    }

    [Fact]
    public void NetworkSets_AreReadIntoTheInventory()
    {
        var result = Load("""
            apiVersion: projectcalico.org/v3
            kind: GlobalNetworkSet
            metadata: {name: bad, labels: {role: bad}}
            spec: {nets: [192.0.2.0/24, 198.51.100.7]}
            ---
            apiVersion: projectcalico.org/v3
            kind: NetworkSet
            metadata: {name: partners, namespace: prod, labels: {role: partner}}
            spec: {nets: [203.0.113.0/24]}
            """);

        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        Assert.Equal(["bad", "prod/partners"], result.Cluster.NetworkSets.Select(s => s.Id));
        Assert.Equal("198.51.100.7/32", result.Cluster.NetworkSets[0].Nets[1].ToString());
        Assert.Equal(LabelSet.Of("role", "partner"), result.Cluster.NetworkSets[1].Labels);
    }
}
