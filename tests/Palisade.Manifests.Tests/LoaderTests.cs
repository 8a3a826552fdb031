using System.Net;
using Palisade.Model;
using Palisade.Model.Cluster;
using Palisade.Model.Policies;

namespace Palisade.Manifests.Tests;

public sealed class LoaderTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("palisade-loader-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private string Write(string relative, string text)
    {
        var path = Path.Combine(dir, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Load_Directory_ReadsYamlYmlAndJsonRecursively_AndIgnoresOtherFiles()
    {
        Write("a/ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n");
        Write("a/b/pod.yml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  namespace: shop\n");
        Write("c/pod.json", """{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "api", "namespace": "shop", "labels": {"app": "api"}}}""");
        Write("notes.txt", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: ignored\n");

        var result = new ManifestLoader().Load([dir]);

        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        Assert.Equal(["shop/api", "shop/web"], result.Cluster.Workloads.Select(w => w.Id));
        Assert.Equal("api", result.Cluster.FindWorkload("shop/api")!.Labels["app"]);
    }

    [Fact]
    public void LoadText_MultiDocumentAndList_ReadsEveryObject()
    {
        var result = new ManifestLoader().LoadText("""
            ---
            # a comment-only document is fine
            ---
            apiVersion: v1
            kind: List
            items:
            - apiVersion: v1
              kind: Pod
              metadata: {name: a, namespace: x}
            - apiVersion: v1
              kind: Pod
              metadata: {name: b, namespace: x}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: c, namespace: z}
            """);

        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        Assert.Equal(["x/a", "x/b", "z/c"], result.Cluster.Workloads.Select(w => w.Id));
    }

    [Fact]
    public void LoadText_PodWithoutNamespace_LandsInDefault_AndReferencedNamespacesExistWithNameLabel()
    {
        var result = new ManifestLoader().LoadText("apiVersion: v1\nkind: Pod\nmetadata:\n  name: lonely\n");

        Assert.True(result.Succeeded);
        Assert.Equal("default/lonely", Assert.Single(result.Cluster.Workloads).Id);
        var ns = result.Cluster.FindNamespace("default");
        Assert.NotNull(ns);
        Assert.Equal(LabelSet.Of(NamespaceInfo.NameLabel, "default"), ns.Labels);
        Assert.Null(ns.Source);
    }

    [Fact]
    public void LoadText_DefinedNamespace_GetsItsNameLabelAdded()
    {
        var result = new ManifestLoader().LoadText("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels:\n    zone: dmz\n");

        Assert.Equal(LabelSet.Of("zone", "dmz", NamespaceInfo.NameLabel, "shop"), result.Cluster.FindNamespace("shop")!.Labels);
    }

    [Theory]
    [InlineData("apps/v1", "Deployment", "spec:\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      serviceAccountName: web-sa\n      containers:\n      - name: c\n        ports:\n        - {name: http, containerPort: 8080}\n")]
    [InlineData("apps/v1", "StatefulSet", "spec:\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      serviceAccountName: web-sa\n      containers:\n      - name: c\n        ports:\n        - {name: http, containerPort: 8080}\n")]
    [InlineData("apps/v1", "DaemonSet", "spec:\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      serviceAccountName: web-sa\n      containers:\n      - name: c\n        ports:\n        - {name: http, containerPort: 8080}\n")]
    [InlineData("apps/v1", "ReplicaSet", "spec:\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      serviceAccountName: web-sa\n      containers:\n      - name: c\n        ports:\n        - {name: http, containerPort: 8080}\n")]
    [InlineData("batch/v1", "Job", "spec:\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      serviceAccountName: web-sa\n      containers:\n      - name: c\n        ports:\n        - {name: http, containerPort: 8080}\n")]
    [InlineData("batch/v1", "CronJob", "spec:\n  schedule: '* * * * *'\n  jobTemplate:\n    spec:\n      template:\n        metadata:\n          labels: {app: web}\n        spec:\n          serviceAccountName: web-sa\n          containers:\n          - name: c\n            ports:\n            - {name: http, containerPort: 8080}\n")]
    [InlineData("v1", "ReplicationController", "spec:\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      serviceAccountName: web-sa\n      containers:\n      - name: c\n        ports:\n        - {name: http, containerPort: 8080}\n")]
    public void LoadText_WorkloadController_BecomesWorkloadFromItsPodTemplate(string apiVersion, string kind, string spec)
    {
        var result = new ManifestLoader().LoadText($"apiVersion: {apiVersion}\nkind: {kind}\nmetadata:\n  name: web\n  namespace: shop\n  labels: {{owner: team-a}}\n{spec}");

        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        var w = Assert.Single(result.Cluster.Workloads);
        Assert.Equal(kind, w.Kind);
        Assert.Equal(LabelSet.Of("app", "web"), w.Labels);
        Assert.Equal("web-sa", w.ServiceAccount);
        Assert.Equal(new ContainerPort("http", 8080, Protocol.Tcp), Assert.Single(w.Ports));
        Assert.Equal(8080, w.ResolveNamedPort("http", Protocol.Tcp));
        Assert.Null(w.ResolveNamedPort("http", Protocol.Udp));
    }

    [Fact]
    public void LoadText_Pod_ReadsAddressesPortsHostNetworkAndServiceAccount()
    {
        var result = new ManifestLoader().LoadText("""
            apiVersion: v1
            kind: Pod
            metadata: {name: a, namespace: x, labels: {pod: a}}
            spec:
              serviceAccountName: robot
              hostNetwork: true
              containers:
              - name: c
                ports:
                - {containerPort: 53, protocol: UDP, name: dns}
                - {containerPort: 9000, protocol: SCTP}
            status:
              podIP: 10.0.1.1
              podIPs:
              - ip: 10.0.1.1
              - ip: fd00::1
            """);

        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        var w = Assert.Single(result.Cluster.Workloads);
        Assert.True(w.HostNetwork);
        Assert.Equal("robot", w.ServiceAccount);
        Assert.Equal([IPAddress.Parse("10.0.1.1"), IPAddress.Parse("fd00::1")], w.Addresses);
        Assert.Equal([new ContainerPort("dns", 53, Protocol.Udp), new ContainerPort(null, 9000, Protocol.Sctp)], w.Ports);
    }

    [Fact]
    public void LoadText_UnknownKinds_AreSkippedAndCounted()
    {
        var result = new ManifestLoader().LoadText("""
            apiVersion: v1
            kind: Service
            metadata: {name: web, namespace: shop}
            spec: {ports: [{port: 80}]}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: cfg, namespace: shop}
            data: {a: b}
            """, "repo.yaml");

        Assert.True(result.Succeeded);
        Assert.Equal(["Service", "ConfigMap"], result.Skipped.Select(s => s.Kind));
        Assert.Equal(2, result.ObjectCount);
        Assert.Equal("repo.yaml", result.Skipped[0].File);
        Assert.Equal(1, result.Skipped[0].Line);
    }

    [Fact]
    public void LoadText_NetworkPolicy_CompilesIntoDefaultTierWithProvenance()
    {
        var result = new ManifestLoader().LoadText("""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: web, namespace: shop}
            spec:
              podSelector: {matchLabels: {app: web}}
              ingress:
              - from:
                - podSelector: {matchLabels: {app: lb}}
                - namespaceSelector: {matchLabels: {zone: dmz}}
                  podSelector: {}
                - ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}
                ports:
                - port: 8080
                - {protocol: UDP, port: 5000, endPort: 5010}
                - port: http
            """, "np.yaml");

        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        var tier = Assert.Single(result.Policies.Tiers);
        Assert.Equal("default", tier.Name);
        Assert.Equal(RuleAction.Deny, tier.EndAction);
        var policy = Assert.Single(tier.Policies);
        Assert.True(policy.GovernsIngress);
        Assert.False(policy.GovernsEgress);
        Assert.Equal("shop", policy.AppliesTo.Namespace);
        var rule = Assert.Single(policy.IngressRules);
        Assert.Equal(RuleAction.Allow, rule.Action);
        Assert.Equal("spec.ingress[0]", rule.Origin.Path);
        Assert.Equal("np.yaml", rule.Origin.Source.File);
        Assert.Equal(1, rule.Origin.Source.Line);
        Assert.Equal(3, rule.Source.Peers.Count);
        Assert.Equal("shop", rule.Source.Peers[0].Namespace);
        Assert.Null(rule.Source.Peers[1].Namespace);
        Assert.NotNull(rule.Source.Peers[1].NamespaceSelector);
        Assert.Equal("10.0.0.0/8 except 10.1.0.0/16", rule.Source.Peers[2].Nets[0].ToString());
        Assert.Equal(["8080/TCP", "5000-5010/UDP", "http/TCP"], rule.Destination.Ports.Select(p => p.ToString()));
    }

    [Theory]
    [InlineData("", true, false)]
    [InlineData("  egress: []\n", true, false)]
    [InlineData("  egress: [{}]\n", true, true)]
    [InlineData("  policyTypes: [Egress]\n", false, true)]
    [InlineData("  policyTypes: []\n  egress: [{}]\n", true, true)]
    [InlineData("  policyTypes: [Ingress, Egress]\n", true, true)]
    public void LoadText_PolicyTypes_DefaultAsTheApiServerDoes(string specTail, bool ingress, bool egress)
    {
        var result = new ManifestLoader().LoadText($"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: p, namespace: x}}\nspec:\n  podSelector: {{}}\n{specTail}");

        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        var policy = Assert.Single(result.Policies.Policies);
        Assert.Equal(ingress, policy.GovernsIngress);
        Assert.Equal(egress, policy.GovernsEgress);
    }

    [Fact]
    public void LoadText_PodSelectorNull_SelectsEveryPodOfTheNamespace()
    {
        var result = new ManifestLoader().LoadText("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\nspec:\n  podSelector: null\n  policyTypes: [Ingress]\n");

        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        var policy = Assert.Single(result.Policies.Policies);
        Assert.True(policy.AppliesTo.Selector!.Matches(LabelSet.Of("anything", "at-all")));
        Assert.True(policy.AppliesTo.Selector!.Matches(LabelSet.Empty));
    }

    [Fact]
    public void LoadText_IngressRulesWithoutIngressType_AreIgnoredWithAWarning()
    {
        var result = new ManifestLoader().LoadText("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\nspec:\n  podSelector: {}\n  policyTypes: [Egress]\n  ingress: [{}]\n");

        Assert.True(result.Succeeded);
        var warning = Assert.Single(result.Warnings);
        Assert.Equal("spec.ingress", warning.Path);
        Assert.Empty(Assert.Single(result.Policies.Policies).IngressRules);
    }
}
