using Palisade.Engine.Evaluation;

namespace Palisade.Cli.Tests.Semantics;

/// <summary>
/// Calico's documented policy model, end to end through loading and evaluation. Sources: docs.tigera.io "Get started
/// with policy tiers", reference pages for Tier, NetworkPolicy, GlobalNetworkPolicy, NetworkSet, GlobalNetworkSet, and
/// the selector scope rules ("Understanding scopes and the all() and global() operators").
/// </summary>
public sealed class CalicoSemanticsTests
{
    private const string Cluster = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: prod, labels: {env: prod}}
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {name: dev, labels: {env: dev}}
        ---
        apiVersion: v1
        kind: ServiceAccount
        metadata: {name: api-sa, namespace: prod, labels: {trusted: "yes"}}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: web, namespace: prod, labels: {app: web}}
        spec: {serviceAccountName: api-sa}
        status: {podIP: 10.1.0.1}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: db, namespace: prod, labels: {app: db}}
        status: {podIP: 10.1.0.2}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: web, namespace: dev, labels: {app: web}}
        status: {podIP: 10.2.0.1}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: scanner, namespace: dev, labels: {app: scanner}}
        status: {podIP: 192.0.2.10}
        """;

    private static Scenario With(string policies) => new(Cluster + "\n---\n" + policies);

    [Fact]
    public void NamespacedPolicySelector_StaysInItsNamespace()
    {
        var s = With("""
            apiVersion: projectcalico.org/v3
            kind: NetworkPolicy
            metadata: {name: db, namespace: prod}
            spec:
              selector: app == 'db'
              ingress: [{action: Allow, source: {selector: app == 'web'}}]
            """);

        Assert.True(s.Allowed("prod/web", "prod/db"));
        Assert.False(s.Allowed("dev/web", "prod/db"));
    }

    [Fact]
    public void GlobalPolicySelector_ReachesEveryNamespace_AndSeesProjectcalicoNamespaceLabel()
    {
        var s = With("""
            apiVersion: projectcalico.org/v3
            kind: GlobalNetworkPolicy
            metadata: {name: db}
            spec:
              selector: app == 'db' && projectcalico.org/namespace == 'prod'
              ingress: [{action: Allow, source: {selector: app == 'web'}}]
            """);

        Assert.True(s.Allowed("prod/web", "prod/db"));
        Assert.True(s.Allowed("dev/web", "prod/db"));
        Assert.False(s.Allowed("dev/scanner", "prod/db"));
    }

    [Fact]
    public void RuleNamespaceSelector_WidensTheScope()
    {
        var s = With("""
            apiVersion: projectcalico.org/v3
            kind: NetworkPolicy
            metadata: {name: db, namespace: prod}
            spec:
              selector: app == 'db'
              ingress: [{action: Allow, source: {selector: app == 'web', namespaceSelector: env == 'dev'}}]
            """);

        Assert.True(s.Allowed("dev/web", "prod/db"));
        Assert.False(s.Allowed("prod/web", "prod/db"));
    }

    [Fact]
    public void ServiceAccountSelector_MatchesServiceAccountLabels()
    {
        var s = With("""
            apiVersion: projectcalico.org/v3
            kind: NetworkPolicy
            metadata: {name: db, namespace: prod}
            spec:
              selector: app == 'db'
              ingress: [{action: Allow, source: {serviceAccounts: {selector: trusted == 'yes'}}}]
            """);

        Assert.True(s.Allowed("prod/web", "prod/db"));
        Assert.False(s.Allowed("dev/web", "prod/db"));
    }

    [Fact]
    public void TierPass_SkipsToNextTier_AndTierEndDenies()
    {
        var s = With("""
            apiVersion: projectcalico.org/v3
            kind: Tier
            metadata: {name: security}
            spec: {order: 100}
            ---
            apiVersion: projectcalico.org/v3
            kind: GlobalNetworkPolicy
            metadata: {name: security.gate}
            spec:
              tier: security
              selector: app == 'db'
              ingress:
              - {action: Deny, source: {selector: app == 'scanner'}}
              - {action: Pass, source: {selector: app == 'web'}}
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: db, namespace: prod}
            spec:
              podSelector: {matchLabels: {app: db}}
              ingress: [{from: [{podSelector: {matchLabels: {app: web}}}]}]
            """);

        var fromWeb = s.Judge("prod/web", "prod/db");
        Assert.True(fromWeb.Allowed);
        Assert.Equal("default", fromWeb.Ingress.Tier!.Name);
        Assert.Contains(fromWeb.Ingress.Steps, st => st.Kind == StepKind.Passed);

        var fromScanner = s.Judge("dev/scanner", "prod/db");
        Assert.False(fromScanner.Allowed);
        Assert.Equal(VerdictReason.RuleDenied, fromScanner.Ingress.Reason);

        // dev/web is passed (the global policy's rule selector reaches every namespace), then the Kubernetes policy,
        // whose podSelector stays in prod, does not allow it: the default tier's end denies.
        var fromDevWeb = s.Judge("dev/web", "prod/db");
        Assert.False(fromDevWeb.Allowed);
        Assert.Equal(VerdictReason.TierEndDenied, fromDevWeb.Ingress.Reason);
        Assert.Equal("default", fromDevWeb.Ingress.Tier!.Name);

        // An outside address matches neither rule: the security tier selected prod/db, so its end denies.
        var fromOutside = s.Judge("198.51.100.1", "prod/db");
        Assert.False(fromOutside.Allowed);
        Assert.Equal(VerdictReason.TierEndDenied, fromOutside.Ingress.Reason);
        Assert.Equal("security", fromOutside.Ingress.Tier!.Name);
    }

    [Fact]
    public void TierDefaultActionPass_LetsUnmatchedFlowsThrough()
    {
        var s = With("""
            apiVersion: projectcalico.org/v3
            kind: Tier
            metadata: {name: security}
            spec: {order: 100, defaultAction: Pass}
            ---
            apiVersion: projectcalico.org/v3
            kind: GlobalNetworkPolicy
            metadata: {name: security.gate}
            spec:
              tier: security
              selector: app == 'db'
              ingress: [{action: Deny, source: {selector: app == 'scanner'}}]
            """);

        Assert.True(s.Allowed("dev/web", "prod/db"));
        Assert.False(s.Allowed("dev/scanner", "prod/db"));
    }

    [Fact]
    public void PolicyOrder_ThenName_DecidesWithinATier()
    {
        var s = With("""
            apiVersion: projectcalico.org/v3
            kind: GlobalNetworkPolicy
            metadata: {name: b-allow}
            spec: {order: 10, selector: app == 'db', ingress: [{action: Allow}]}
            ---
            apiVersion: projectcalico.org/v3
            kind: GlobalNetworkPolicy
            metadata: {name: a-deny}
            spec: {order: 10, selector: app == 'db', ingress: [{action: Deny}]}
            ---
            apiVersion: projectcalico.org/v3
            kind: GlobalNetworkPolicy
            metadata: {name: first}
            spec: {order: 5, selector: app == 'db', ingress: [{action: Log}]}
            """);

        var v = s.Judge("prod/web", "prod/db");
        Assert.False(v.Allowed);
        Assert.Equal("a-deny", v.Ingress.Policy!.Name);
        Assert.Contains(v.Ingress.Steps, st => st.Kind == StepKind.Logged && st.Policy!.Name == "first");
    }

    [Fact]
    public void GlobalNetworkSet_IsSelectedByLabels_OnlyThroughGlobalScope()
    {
        const string Sets = """
            apiVersion: projectcalico.org/v3
            kind: GlobalNetworkSet
            metadata: {name: scanners, labels: {role: scanner}}
            spec: {nets: [192.0.2.0/24]}
            ---
            """;
        var global = With(Sets + "\n" + """
            apiVersion: projectcalico.org/v3
            kind: GlobalNetworkPolicy
            metadata: {name: block}
            spec:
              selector: app == 'db'
              ingress: [{action: Deny, source: {selector: role == 'scanner'}}, {action: Allow}]
            """);
        Assert.False(global.Allowed("dev/scanner", "prod/db"));
        Assert.False(global.Allowed("192.0.2.99", "prod/db"));
        Assert.True(global.Allowed("198.51.100.1", "prod/db"));

        var namespacedWithoutGlobal = With(Sets + "\n" + """
            apiVersion: projectcalico.org/v3
            kind: NetworkPolicy
            metadata: {name: block, namespace: prod}
            spec:
              selector: app == 'db'
              ingress: [{action: Deny, source: {selector: role == 'scanner'}}, {action: Allow}]
            """);
        Assert.True(namespacedWithoutGlobal.Allowed("192.0.2.99", "prod/db"));

        var namespacedWithGlobal = With(Sets + "\n" + """
            apiVersion: projectcalico.org/v3
            kind: NetworkPolicy
            metadata: {name: block, namespace: prod}
            spec:
              selector: app == 'db'
              ingress: [{action: Deny, source: {selector: role == 'scanner', namespaceSelector: global()}}, {action: Allow}]
            """);
        Assert.False(namespacedWithGlobal.Allowed("192.0.2.99", "prod/db"));
    }

    [Fact]
    public void NamespacedNetworkSet_IsSelectedFromItsNamespace()
    {
        var s = With("""
            apiVersion: projectcalico.org/v3
            kind: NetworkSet
            metadata: {name: partners, namespace: prod, labels: {role: partner}}
            spec: {nets: [203.0.113.0/24]}
            ---
            apiVersion: projectcalico.org/v3
            kind: NetworkPolicy
            metadata: {name: egress, namespace: prod}
            spec:
              selector: app == 'web'
              egress: [{action: Allow, destination: {selector: role == 'partner'}}]
            """);

        Assert.True(s.Allowed("prod/web", "203.0.113.5", 443));
        Assert.False(s.Allowed("prod/web", "198.51.100.5", 443));
    }

    [Fact]
    public void NotNetsNotSelectorNotPortsNotProtocol_Exclude()
    {
        var s = With("""
            apiVersion: projectcalico.org/v3
            kind: GlobalNetworkPolicy
            metadata: {name: g}
            spec:
              selector: app == 'db'
              ingress:
              - action: Allow
                protocol: TCP
                source: {notNets: [10.2.0.0/16], notSelector: app == 'scanner'}
                destination: {notPorts: [22]}
            """);

        Assert.True(s.Allowed("prod/web", "prod/db", 5432));
        Assert.False(s.Allowed("prod/web", "prod/db", 22));
        Assert.False(s.Allowed("dev/web", "prod/db", 5432));
        Assert.False(s.Allowed("dev/scanner", "prod/db", 5432));
        Assert.False(s.Allowed("prod/web", "prod/db", 5432, "UDP"));
    }

    [Fact]
    public void StagedPolicy_IsNotEnforced_ButReportsWhatItWouldDo()
    {
        var s = With("""
            apiVersion: projectcalico.org/v3
            kind: StagedGlobalNetworkPolicy
            metadata: {name: lockdown}
            spec:
              selector: app == 'db'
              ingress: [{action: Deny, source: {selector: app == 'web'}}]
            """);

        var v = s.Judge("prod/web", "prod/db");
        Assert.True(v.Allowed);
        var staged = Assert.Single(v.Ingress.Staged);
        Assert.Equal("lockdown", staged.Policy.Name);
        Assert.Equal("spec.ingress[0]", staged.Rule!.Origin.Path);
        Assert.False(v.Ingress.IfStagedEnforced!.Allowed);
    }

    [Fact]
    public void StagedKubernetesPolicy_ReplacesTheEnforcedOneOfTheSameName_WhenEnforced()
    {
        var s = With("""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: db, namespace: prod}
            spec:
              podSelector: {matchLabels: {app: db}}
              ingress: [{from: [{podSelector: {matchLabels: {app: web}}}]}]
            ---
            apiVersion: projectcalico.org/v3
            kind: StagedKubernetesNetworkPolicy
            metadata: {name: db, namespace: prod}
            spec:
              podSelector: {matchLabels: {app: db}}
              ingress: [{from: [{podSelector: {matchLabels: {app: other}}}]}]
            """);

        var v = s.Judge("prod/web", "prod/db");
        Assert.True(v.Allowed);
        Assert.False(v.Ingress.IfStagedEnforced!.Allowed);
        Assert.Equal(VerdictReason.TierEndDenied, v.Ingress.IfStagedEnforced.Reason);
    }

    [Fact]
    public void AdminTier_ComesBeforeCalicoDefaultTier_AndBaselineAfter()
    {
        var s = With("""
            apiVersion: policy.networking.k8s.io/v1alpha1
            kind: AdminNetworkPolicy
            metadata: {name: pass-prod}
            spec:
              priority: 1
              subject: {namespaces: {matchLabels: {env: prod}}}
              ingress: [{action: Pass, from: [{namespaces: {}}]}]
            ---
            apiVersion: projectcalico.org/v3
            kind: NetworkPolicy
            metadata: {name: db, namespace: prod}
            spec:
              selector: app == 'web'
              ingress: [{action: Allow, source: {namespaceSelector: env == 'dev'}}]
            ---
            apiVersion: policy.networking.k8s.io/v1alpha1
            kind: BaselineAdminNetworkPolicy
            metadata: {name: default}
            spec:
              subject: {namespaces: {}}
              ingress: [{action: Deny, from: [{namespaces: {}}]}]
            """);

        Assert.Equal(["kube-admin", "default", "kube-baseline"], s.Loaded.Policies.Tiers.Select(t => t.Name));
        Assert.True(s.Allowed("dev/web", "prod/web"));
        Assert.False(s.Allowed("prod/db", "prod/web"));
        Assert.False(s.Allowed("prod/web", "prod/db"));
        Assert.Equal("kube-baseline", s.Judge("prod/web", "prod/db").Ingress.Tier!.Name);
    }
}
