using System.Text.Json;

namespace Palisade.Cli.Tests;

/// <summary>
/// <c>palisade lint</c> and <c>palisade diff</c> on the example application: the clean shop, the deliberately broken
/// overlay (examples/shop-broken, one mistake per file) and the proposed change (examples/shop-next); plus small
/// inputs for the cases the shop does not show (replicas among themselves, networks, tiers that only pass).
/// </summary>
public sealed class LintAndDiffTests : IDisposable
{
    private static string Shop => Path.Combine(RepoPaths.Examples, "shop");

    private static string Broken => Path.Combine(RepoPaths.Examples, "shop-broken");

    private static string Next => Path.Combine(RepoPaths.Examples, "shop-next");

    /// <summary>A StatefulSet of three replicas that talk to each other on 8201.</summary>
    private const string Vault = """
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: vault, namespace: vault}
        spec:
          replicas: 3
          selector: {matchLabels: {app: vault}}
          template:
            metadata: {labels: {app: vault}}
            spec: {containers: [{name: vault, ports: [{containerPort: 8201, name: cluster}]}]}

        """;

    private readonly string dir = Directory.CreateTempSubdirectory("palisade-lint-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private sealed record Finding(string Severity, string Code, string Subject, string Message, string? Path, string? File);

    private static (int Code, List<Finding> Findings, JsonElement Summary) Lint(params string[] args)
    {
        var (code, stdout, stderr) = CliRunner.Run(["lint", .. args, "-o", "json"]);
        Assert.True(code is 0 or 1, $"lint exited {code}: {stderr}");
        using var doc = JsonDocument.Parse(stdout);
        var findings = doc.RootElement.GetProperty("findings").EnumerateArray().Select(f => new Finding(
            f.GetProperty("severity").GetString()!,
            f.GetProperty("code").GetString()!,
            f.GetProperty("subject").GetString()!,
            f.GetProperty("message").GetString()!,
            f.TryGetProperty("path", out var p) ? p.GetString() : null,
            f.TryGetProperty("file", out var file) ? file.GetString() : null)).ToList();
        return (code, findings, doc.RootElement.GetProperty("summary").Clone());
    }

    private static (int Code, List<JsonElement> Changes, JsonElement Summary) Diff(params string[] args)
    {
        var (code, stdout, stderr) = CliRunner.Run(["diff", .. args, "-o", "json"]);
        Assert.True(code is 0 or 1, $"diff exited {code}: {stderr}");
        using var doc = JsonDocument.Parse(stdout);
        return (code, [.. doc.RootElement.GetProperty("changes").EnumerateArray().Select(c => c.Clone())], doc.RootElement.GetProperty("summary").Clone());
    }

    private static string Side(JsonElement change, string end) =>
        change.GetProperty(end).TryGetProperty("networks", out var networks)
            ? string.Join(", ", networks.EnumerateArray().Select(n => n.GetString()))
            : string.Join(", ", change.GetProperty(end).GetProperty("workloads").EnumerateArray().Select(n => n.GetString()));

    private static string Row(JsonElement c) =>
        $"{c.GetProperty("change").GetString()} {Side(c, "from")} -> {Side(c, "to")} {c.GetProperty("port").GetInt32()}/{c.GetProperty("protocol").GetString()} x{c.GetProperty("pairs").GetInt32()}";

    private string Write(string name, string yaml)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, yaml);
        return path;
    }

    [Fact]
    public void Lint_CleanShop_HasNoErrors_AndOnlyTheThreeExpectedWarnings()
    {
        var (code, findings, summary) = Lint("-f", Shop);

        Assert.Equal(0, code);
        Assert.Equal(0, summary.GetProperty("errors").GetInt32());
        Assert.Equal(
            [
                "allow-from-anywhere NetworkPolicy shop-web/frontend-from-internet",
                "namespace-without-default-deny kube-system",
                "unprotected-workload kube-system/coredns",
            ],
            findings.Select(f => $"{f.Code} {f.Subject}").Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Lint_BrokenOverlay_FlagsEveryDeliberateMistake_AndFails()
    {
        var (code, findings, summary) = Lint("-f", Shop, "-f", Broken);

        Assert.Equal(1, code);
        Assert.Equal(findings.Count(f => f.Severity == "error"), summary.GetProperty("errors").GetInt32());
        void Has(string severity, string codeName, string subject, string fileEnd, string? path = null, string? message = null)
        {
            Assert.True(
                findings.Any(f => f.Severity == severity && f.Code == codeName && f.Subject == subject &&
                    f.File is not null && f.File.Replace('\\', '/').EndsWith(fileEnd, StringComparison.Ordinal) &&
                    (path is null || f.Path == path) && (message is null || f.Message.Contains(message, StringComparison.Ordinal))),
                $"expected {severity} {codeName} on {subject} in {fileEnd} {path} {message}; got:\n{string.Join("\n", findings)}");
        }

        // calico-tier-shadowed-allow.yaml: rule 1 allows what rule 0 of the same policy already denies.
        Has("error", "shadowed-rule", "GlobalNetworkPolicy platform.monitoring", "shop-broken/calico-tier-shadowed-allow.yaml", "spec.egress[1]", "spec.egress[0], with the opposite outcome");

        // anp-pci-lockdown.yaml: the Admin tier now denies what the shop's own NetworkPolicy allows; the cause is named with its file.
        Has("error", "shadowed-rule", "NetworkPolicy shop-payments/payments-from-payments-clients", "shop/policies/pci.yaml", "spec.ingress[0]", "AdminNetworkPolicy pci-zone-lockdown");
        Assert.Contains(findings, f => f.Subject == "NetworkPolicy shop-payments/payments-from-payments-clients" && f.Message.Contains("anp-pci-lockdown.yaml", StringComparison.Ordinal));

        // anp-equal-priority.yaml: two AdminNetworkPolicies of priority 30, both places named.
        Has("warning", "equal-priority", "AdminNetworkPolicy no-psp-sandbox, AdminNetworkPolicy payments-to-psp", "shop-broken/anp-equal-priority.yaml", message: "priority 30");
        Assert.Contains(findings, f => f.Code == "equal-priority" && f.Message.Split("anp-equal-priority.yaml").Length == 3);

        // The Admin tier's Allow of the payment provider's range decides before the shop's own ipBlock rule: shadowing by networks.
        Has("warning", "shadowed-rule", "NetworkPolicy shop-payments/psp-egress", "shop/policies/payment-provider.yaml", "spec.egress[0]", "AdminNetworkPolicy payments-to-psp");

        Has("warning", "allow-from-anywhere", "NetworkPolicy shop-data/postgres-debug-from-anywhere", "shop-broken/database-from-anywhere.yaml", "spec.ingress[0]");
        Has("warning", "selector-selects-nothing", "NetworkPolicy identity/ldap-replication", "shop-broken/selector-typo.yaml", message: "ldap-sever");
        Has("warning", "ignored-field", "GlobalNetworkPolicy block-scanners", "shop-broken/calico-host-only-fields.yaml", "spec.preDNAT");
        Has("warning", "ignored-field", "GlobalNetworkPolicy block-scanners", "shop-broken/calico-host-only-fields.yaml", "spec.applyOnForward");
        Has("warning", "namespace-without-default-deny", "legacy", "shop-broken/legacy.yaml");

        // legacy.yaml: the AdminNetworkPolicy that applies to every namespace only denies a sandbox range: it does not isolate.
        Has("warning", "unprotected-workload", "legacy/inventory-sync", "shop-broken/legacy.yaml", message: "not isolated for ingress or egress");
        Assert.Equal(2, findings.Count(f => f.Severity == "error"));
    }

    [Theory]
    [InlineData("warning", false, 1)]
    [InlineData("error", false, 0)]
    [InlineData("never", true, 0)]
    public void Lint_FailOn_DecidesTheExitCode(string failOn, bool broken, int expected)
    {
        string[] args = broken ? ["-f", Shop, "-f", Broken] : ["-f", Shop];
        var (code, _, _) = CliRunner.Run(["lint", .. args, "--fail-on", failOn]);
        Assert.Equal(expected, code);
    }

    [Fact]
    public void Lint_ReplicasOfOneWorkload_ShadowingAmongThemselves_IsAnError()
    {
        var file = Write("vault.yaml", Vault + """
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: vault-cluster, namespace: vault}
            spec:
              podSelector: {matchLabels: {app: vault}}
              ingress: [{from: [{podSelector: {matchLabels: {app: vault}}}], ports: [{port: 8201}]}]
            ---
            apiVersion: policy.networking.k8s.io/v1alpha1
            kind: AdminNetworkPolicy
            metadata: {name: no-8201}
            spec:
              priority: 5
              subject: {namespaces: {}}
              ingress: [{name: no-8201, action: Deny, from: [{namespaces: {}}], ports: [{portNumber: {port: 8201, protocol: TCP}}]}]
            """);

        var (code, findings, _) = Lint("-f", file);

        Assert.Equal(1, code);
        Assert.Contains(findings, f => f is { Severity: "error", Code: "shadowed-rule", Subject: "NetworkPolicy vault/vault-cluster", Path: "spec.ingress[0]" });
    }

    [Fact]
    public void Lint_WorkloadSelectedOnlyByAnAdminTierThatPasses_IsNotIsolated()
    {
        var file = Write("pass.yaml", """
            apiVersion: v1
            kind: Pod
            metadata: {name: a, namespace: x, labels: {app: a}}
            ---
            apiVersion: policy.networking.k8s.io/v1alpha1
            kind: AdminNetworkPolicy
            metadata: {name: deny-one-range}
            spec:
              priority: 1
              subject: {namespaces: {}}
              egress: [{name: sandbox, action: Deny, to: [{networks: [203.0.113.0/24]}]}]
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: deny-ingress, namespace: x}
            spec: {podSelector: {}, policyTypes: [Ingress]}
            """);

        var (_, findings, _) = Lint("-f", file);

        var unprotected = Assert.Single(findings, f => f.Code == "unprotected-workload");
        Assert.Equal("x/a", unprotected.Subject);
        Assert.Contains("not isolated for egress:", unprotected.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Diff_ShopAgainstTheProposedChange_GroupsWhatOpensAndWhatCloses()
    {
        var (code, changes, summary) = Diff("-f", Shop, "--against", Shop, "--against", Next);

        Assert.Equal(1, code);
        Assert.Equal(
            [
                "closed monitoring/prometheus -> shop-data/customers-eu 9187/TCP x1",
                "closed monitoring/prometheus -> shop-data/customers-us 9187/TCP x1",
                "closed shop-web/admin-portal -> identity/ldap 389/TCP x1",
                "opened shop-api/reports -> shop-data/customers-us 5432/TCP x1",
            ],
            changes.Select(Row));
        Assert.Equal(4, summary.GetProperty("groups").GetInt32());
        Assert.Equal(1, summary.GetProperty("opened").GetInt32());
        Assert.Equal(3, summary.GetProperty("closed").GetInt32());

        // The opened group names both rules that now allow it, the new egress rule and the new ingress rule.
        var opened = changes.Single(c => c.GetProperty("change").GetString() == "opened");
        Assert.Equal("egress NetworkPolicy shop-api/reports-to-us-customers spec.egress[0]; ingress NetworkPolicy shop-data/customers-us-from-reports spec.ingress[0]",
            opened.GetProperty("after").GetString());
        Assert.Equal("us", opened.GetProperty("to").GetProperty("labels").GetProperty("region").GetString());
        var scrape = changes.First(c => c.GetProperty("port").GetInt32() == 9187);
        Assert.Contains("ClusterNetworkPolicy no-scraping-customer-databases", scrape.GetProperty("after").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Diff_SameSetOnBothSides_ChangesNothing_AndPrintsNoTable()
    {
        var (code, stdout, _) = CliRunner.Run("diff", "-f", Shop, "--against", Shop);

        Assert.Equal(0, code);
        Assert.Equal("No connectivity changes.", stdout.Trim());
    }

    [Fact]
    public void Diff_ADenyOfANetwork_IsSeen_FromTheNetworkToTheWorkload()
    {
        var cluster = Write("cluster.yaml", """
            apiVersion: v1
            kind: Pod
            metadata: {name: portal, namespace: web, labels: {app: portal}}
            spec: {containers: [{name: c, ports: [{containerPort: 8443}]}]}
            status: {podIP: 10.0.0.5}
            """);
        var deny = Write("deny.yaml", """
            apiVersion: projectcalico.org/v3
            kind: GlobalNetworkPolicy
            metadata: {name: no-office}
            spec:
              selector: app == 'portal'
              types: [Ingress]
              ingress:
              - {action: Deny, source: {nets: [198.51.100.0/24]}}
              - {action: Allow}
            """);

        var (code, changes, _) = Diff("-f", cluster, "--against", cluster, "--against", deny);

        Assert.Equal(1, code);
        Assert.Equal(["closed 198.51.100.0/24 -> web/portal 8443/TCP x1"], changes.Select(Row));
        Assert.Contains("GlobalNetworkPolicy no-office spec.ingress[0]", changes[0].GetProperty("after").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Diff_ReplicasOfOneWorkload_ArePairedWithThemselves()
    {
        var cluster = Write("vault.yaml", Vault);
        var deny = Write("deny.yaml", """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: deny-all, namespace: vault}
            spec: {podSelector: {}, policyTypes: [Ingress]}
            """);

        var (code, changes, _) = Diff("-f", cluster, "--against", cluster, "--against", deny);

        Assert.Equal(1, code);
        Assert.Equal(["closed vault/vault -> vault/vault 8201/TCP x1"], changes.Select(Row));
    }

    [Fact]
    public void Diff_WorkloadsDifferingOnlyInLabelsNoPolicyReads_AreOnePersonality()
    {
        var cluster = Write("web.yaml", """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web-v1, namespace: shop}
            spec:
              selector: {matchLabels: {app: web, version: v1}}
              template:
                metadata: {labels: {app: web, version: v1, pod-template-hash: 5d8f}}
                spec: {containers: [{name: web, ports: [{containerPort: 8080}]}]}
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web-v2, namespace: shop}
            spec:
              selector: {matchLabels: {app: web, version: v2}}
              template:
                metadata: {labels: {app: web, version: v2, pod-template-hash: 77c1}}
                spec: {containers: [{name: web, ports: [{containerPort: 8080}]}]}
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: api, namespace: shop}
            spec:
              selector: {matchLabels: {app: api}}
              template:
                metadata: {labels: {app: api}}
                spec: {containers: [{name: api, ports: [{containerPort: 9090}]}]}
            """);
        var deny = Write("deny.yaml", """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: api-only-from-nothing, namespace: shop}
            spec:
              podSelector: {matchLabels: {app: api}}
              policyTypes: [Ingress]
            """);

        var (_, changes, _) = Diff("-f", cluster, "--against", cluster, "--against", deny);

        var group = Assert.Single(changes);
        Assert.Equal("closed shop/web-v1, shop/web-v2 -> shop/api 9090/TCP x2", Row(group));
        Assert.Equal(["app"], group.GetProperty("from").GetProperty("labels").EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void Diff_TwoSides_SkippedObjects_AreReportedPerSide()
    {
        var (_, _, stderr) = CliRunner.Run("diff", "-f", Shop, "--against", Shop);

        Assert.Contains("current (-f): skipped", stderr, StringComparison.Ordinal);
        Assert.Contains("proposed (--against): skipped", stderr, StringComparison.Ordinal);
    }
}
