using Palisade.Model.Policies;

namespace Palisade.Manifests.Tests;

/// <summary>AdminNetworkPolicy, BaselineAdminNetworkPolicy and ClusterNetworkPolicy reading and validation.</summary>
public sealed class PolicyApiReaderTests
{
    private const string Anp = "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: a}\nspec:\n";
    private const string Cnp = "apiVersion: policy.networking.k8s.io/v1beta1\nkind: ClusterNetworkPolicy\nmetadata: {name: c}\nspec:\n";

    private static LoadResult Load(string text) => new ManifestLoader().LoadText(text, "p.yaml");

    private static ManifestDiagnostic OnlyError(string text)
    {
        var result = Load(text);
        Assert.False(result.Succeeded);
        var errors = result.Errors.ToList();
        Assert.True(errors.Count == 1, string.Join("\n", errors));
        return errors[0];
    }

    [Fact]
    public void Anp_GoesToAdminTier_ByPriority_WithNamedRules()
    {
        var result = Load(Anp + """
              priority: 20
              subject: {namespaces: {matchLabels: {team: a}}}
              ingress:
              - name: deny-b
                action: Deny
                from: [{pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: b}}}}]
                ports: [{portNumber: {protocol: UDP, port: 53}}, {namedPort: http}, {portRange: {start: 8000, end: 8100}}]
            """);

        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        var tier = Assert.Single(result.Policies.Tiers);
        Assert.Equal(PolicyModel.AdminTierName, tier.Name);
        Assert.Equal(TierKind.Admin, tier.Kind);
        Assert.Equal(RuleAction.Pass, tier.EndAction);
        var policy = Assert.Single(tier.Policies);
        Assert.Equal(20, policy.Order);
        Assert.True(policy.GovernsIngress);
        Assert.False(policy.GovernsEgress);
        var rule = Assert.Single(policy.IngressRules);
        Assert.Equal(RuleAction.Deny, rule.Action);
        Assert.Equal("deny-b", rule.Origin.Name);
        Assert.Equal(["53/UDP", "http", "8000-8100/TCP"], rule.Destination.Ports.Select(p => p.ToString()));
    }

    [Fact]
    public void Banp_GoesToBaselineTier_AndMustBeNamedDefault()
    {
        var ok = Load("apiVersion: policy.networking.k8s.io/v1alpha1\nkind: BaselineAdminNetworkPolicy\nmetadata: {name: default}\nspec:\n  subject: {namespaces: {}}\n  egress:\n  - {action: Deny, to: [{networks: [0.0.0.0/0]}]}\n");
        Assert.True(ok.Succeeded, string.Join("\n", ok.Diagnostics));
        Assert.Equal(PolicyModel.BaselineTierName, Assert.Single(ok.Policies.Tiers).Name);

        var e = OnlyError("apiVersion: policy.networking.k8s.io/v1alpha1\nkind: BaselineAdminNetworkPolicy\nmetadata: {name: other}\nspec:\n  subject: {namespaces: {}}\n");
        Assert.Equal("metadata.name", e.Path);
        Assert.Contains("must be named \"default\"", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Banp_PassAction_IsRejected()
    {
        var e = OnlyError("apiVersion: policy.networking.k8s.io/v1alpha1\nkind: BaselineAdminNetworkPolicy\nmetadata: {name: default}\nspec:\n  subject: {namespaces: {}}\n  ingress:\n  - {action: Pass, from: [{namespaces: {}}]}\n");

        Assert.Equal("spec.ingress[0].action", e.Path);
        Assert.Contains("expected Allow, Deny", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("  priority: 1001\n  subject: {namespaces: {}}\n", "spec.priority", "between 0 and 1000")]
    [InlineData("  subject: {namespaces: {}}\n", "spec.priority", "required")]
    [InlineData("  priority: 1\n", "spec.subject", "required")]
    [InlineData("  priority: 1\n  subject: {namespaces: {}, pods: {namespaceSelector: {}, podSelector: {}}}\n", "spec.subject", "exactly one field")]
    [InlineData("  priority: 1\n  subject: {namespaces: {}}\n  ingress:\n  - {action: Allow}\n", "spec.ingress[0].from", "required")]
    [InlineData("  priority: 1\n  subject: {namespaces: {}}\n  ingress:\n  - {action: Allow, from: []}\n", "spec.ingress[0].from", "at least one peer")]
    [InlineData("  priority: 1\n  subject: {namespaces: {}}\n  ingress:\n  - {action: Accept, from: [{namespaces: {}}]}\n", "spec.ingress[0].action", "unknown action")]
    [InlineData("  priority: 1\n  subject: {namespaces: {}}\n  egress:\n  - {action: Allow, to: [{networks: [10.0.0.0/33]}]}\n", "spec.egress[0].to[0].networks[0]", "expected a CIDR")]
    [InlineData("  priority: 1\n  subject: {namespaces: {}}\n  egress:\n  - {action: Allow, to: [{networks: ['::ffff:10.0.0.0/104']}]}\n", "spec.egress[0].to[0].networks[0]", "IPv4-mapped IPv6 network, which the API refuses")]
    [InlineData("  priority: 1\n  subject: {namespaces: {}}\n  ingress:\n  - {action: Allow, from: [{namespaces: {}}], ports: [{portRange: {start: 90, end: 80}}]}\n", "spec.ingress[0].ports[0].portRange.end", "greater than start")]
    [InlineData("  priority: 1\n  subject: {namespaces: {}}\n  ingress:\n  - {action: Allow, from: [{namespaces: {}}], ports: [{portNumber: {port: 80}, namedPort: http}]}\n", "spec.ingress[0].ports[0]", "exactly one field")]
    [InlineData("  priority: 1\n  subject: {namespaces: {}}\n  egress:\n  - {action: Allow, to: [{networks: [10.0.0.0/8]}], ports: [{namedPort: http}]}\n", "spec.egress[0].ports", "named ports cannot be used")]
    [InlineData("  priority: 1\n  subject: {pods: {podSelector: {}}}\n", "spec.subject.pods.namespaceSelector", "required")]
    public void Anp_InvalidInput_IsReportedWithPath(string spec, string path, string message)
    {
        var e = OnlyError(Anp + spec);

        Assert.Equal(path, e.Path);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.Equal("p.yaml", e.File);
        Assert.True(e.Line >= 1);
    }

    [Fact]
    public void PeerWithOnlyUnknownFields_FailsClosed_AllowMatchesNothing_DenyDeniesAll()
    {
        var result = Load(Anp + """
              priority: 1
              subject: {namespaces: {}}
              ingress:
              - {action: Allow, from: [{futurePeer: {x: y}}]}
              - {action: Deny, from: [{futurePeer: {x: y}}], ports: [{portNumber: {port: 80}}]}
            """);

        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        Assert.Equal(2, result.Warnings.Count());
        var rules = Assert.Single(result.Policies.Policies).IngressRules;
        Assert.Equal(Peer.Nothing, Assert.Single(rules[0].Source.Peers));
        Assert.Equal(RuleAction.Deny, rules[1].Action);
        Assert.True(rules[1].Source.IsAny);
        Assert.True(rules[1].Destination.IsAny);
    }

    [Fact]
    public void DomainNames_AreParsed_AndReportedAsNotEnforceableStatically()
    {
        var result = Load(Cnp + "  tier: Admin\n  priority: 5\n  subject: {namespaces: {}}\n  egress:\n  - {action: Accept, to: [{domainNames: ['*.example.com']}]}\n");

        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        var w = Assert.Single(result.Warnings);
        Assert.Contains("cannot be enforced statically", w.Message, StringComparison.Ordinal);
        Assert.Equal(Peer.Nothing, Assert.Single(Assert.Single(result.Policies.Policies).EgressRules[0].Destination.Peers));
    }

    [Theory]
    [InlineData("policy.networking.k8s.io/v1beta1")]
    [InlineData("policy.networking.k8s.io/v1alpha2")]
    public void Cnp_TierAndProtocols_AreRead(string apiVersion)
    {
        var result = Load($"apiVersion: {apiVersion}\nkind: ClusterNetworkPolicy\nmetadata: {{name: c}}\nspec:\n" + """
              tier: Baseline
              priority: 7
              subject: {pods: {podSelector: {matchLabels: {app: x}}}}
              ingress:
              - action: Accept
                from: [{namespaces: {}}]
                protocols:
                - tcp: {destinationPort: {number: 80}}
                - udp: {destinationPort: {range: {start: 5000, end: 5010}}}
                - destinationNamedPort: dns
            """);

        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        var tier = Assert.Single(result.Policies.Tiers);
        Assert.Equal(PolicyModel.BaselineTierName, tier.Name);
        var policy = Assert.Single(tier.Policies);
        Assert.Equal(7, policy.Order);
        var rule = Assert.Single(policy.IngressRules);
        Assert.Equal(RuleAction.Allow, rule.Action);
        Assert.Equal(["80/TCP", "5000-5010/UDP", "dns"], rule.Destination.Ports.Select(p => p.ToString()));
    }

    [Theory]
    [InlineData("  tier: Middle\n  priority: 1\n  subject: {namespaces: {}}\n", "spec.tier", "expected Admin or Baseline")]
    [InlineData("  priority: 1\n  subject: {namespaces: {}}\n", "spec.tier", "required")]
    [InlineData("  tier: Admin\n  priority: 1\n  subject: {namespaces: {}}\n  ingress:\n  - {action: Allow, from: [{namespaces: {}}]}\n", "spec.ingress[0].action", "expected Accept, Deny, Pass")]
    [InlineData("  tier: Admin\n  priority: 1\n  subject: {namespaces: {}}\n  ingress:\n  - {action: Accept, from: [{namespaces: {}}], protocols: [{tcp: {}}]}\n", "spec.ingress[0].protocols[0].tcp.destinationPort", "required")]
    [InlineData("  tier: Admin\n  priority: 1\n  subject: {namespaces: {}}\n  ingress:\n  - {action: Accept, from: [{namespaces: {}}], ports: [{portNumber: {port: 80}}]}\n", "spec.ingress[0].ports", "unknown field")]
    public void Cnp_InvalidInput_IsReportedWithPath(string spec, string path, string message)
    {
        var e = OnlyError(Cnp + spec);

        Assert.Equal(path, e.Path);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }
}
