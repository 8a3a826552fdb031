namespace Palisade.Manifests.Tests;

/// <summary>
/// Typed lists as the API server returns them (<c>kubectl get --raw</c>, client-go dumps, a peer analyzer's inputs):
/// <c>kind: PodList</c> and the like, whose items name no kind or apiVersion. Each item is read as the list's kind
/// without "List" and the list's apiVersion, exactly as the same object written out on its own.
/// </summary>
public sealed class TypedListTests
{
    private const string Meta = """
            creationTimestamp: "2026-01-05T10:00:00Z"
            resourceVersion: "104211"
            uid: 6f1c2f9e-0d5a-4b43-9a53-1b3f1d7c2e10
        """;

    private const string PodSpec = """
            containers:
            - image: registry.example.com/web:1.4
              imagePullPolicy: IfNotPresent
              name: web
              ports:
              - containerPort: 8080
                name: http
                protocol: TCP
              resources: {}
              terminationMessagePath: /dev/termination-log
            dnsPolicy: ClusterFirst
            restartPolicy: Always
            schedulerName: default-scheduler
            serviceAccountName: web
        """;

    /// <summary>Each kind Palisade reads: the list's apiVersion and kind, and one item as the server returns it.</summary>
    public static TheoryData<string, string, string> Lists => new()
    {
        { "v1", "NamespaceList", $"metadata:\n{Meta}\n    labels: {{kubernetes.io/metadata.name: shop, team: web}}\n    name: shop\nspec:\n  finalizers: [kubernetes]\nstatus:\n  phase: Active" },
        { "v1", "ServiceAccountList", $"metadata:\n{Meta}\n    name: web\n    namespace: shop" },
        { "v1", "NodeList", $"metadata:\n{Meta}\n    labels: {{kubernetes.io/hostname: node-1, topology.kubernetes.io/zone: eu-1a}}\n    name: node-1\nspec:\n  podCIDR: 10.244.1.0/24\nstatus:\n  addresses:\n  - {{address: 192.168.10.11, type: InternalIP}}\n  - {{address: node-1, type: Hostname}}" },
        { "v1", "PodList", $"metadata:\n{Meta}\n    labels: {{app: web, pod-template-hash: 7c9f8d}}\n    name: web-7c9f8d-x2x4k\n    namespace: shop\nspec:\n{PodSpec}\n    nodeName: node-1\nstatus:\n  hostIP: 192.168.10.11\n  phase: Running\n  podIP: 10.244.1.17\n  podIPs:\n  - ip: 10.244.1.17" },
        { "v1", "ReplicationControllerList", $"metadata:\n{Meta}\n    name: legacy\n    namespace: shop\nspec:\n  replicas: 2\n  selector: {{app: legacy}}\n  template:\n    metadata:\n      labels: {{app: legacy}}\n    spec:\n{Indent(PodSpec)}\nstatus:\n  replicas: 2" },
        { "apps/v1", "DeploymentList", Controller("web", "  replicas: 3\n  strategy: {type: RollingUpdate}\n") },
        { "apps/v1", "StatefulSetList", Controller("db", "  replicas: 1\n  serviceName: db\n") },
        { "apps/v1", "DaemonSetList", Controller("agent", "  updateStrategy: {type: RollingUpdate}\n") },
        { "apps/v1", "ReplicaSetList", Controller("web-7c9f8d", "  replicas: 3\n") },
        { "batch/v1", "JobList", $"metadata:\n{Meta}\n    name: migrate\n    namespace: shop\nspec:\n  backoffLimit: 6\n  template:\n    metadata:\n      labels: {{app: migrate}}\n    spec:\n{Indent(PodSpec)}\nstatus:\n  succeeded: 1" },
        { "batch/v1", "CronJobList", $"metadata:\n{Meta}\n    name: report\n    namespace: shop\nspec:\n  schedule: \"0 3 * * *\"\n  jobTemplate:\n    spec:\n      template:\n        metadata:\n          labels: {{app: report}}\n        spec:\n{Indent(Indent(PodSpec))}\nstatus: {{}}" },
        { "networking.k8s.io/v1", "NetworkPolicyList", $"metadata:\n{Meta}\n    generation: 1\n    name: web-ingress\n    namespace: shop\nspec:\n  ingress:\n  - from:\n    - podSelector: {{matchLabels: {{app: gateway}}}}\n    ports:\n    - {{port: 8080, protocol: TCP}}\n  podSelector:\n    matchLabels: {{app: web}}\n  policyTypes: [Ingress]" },
        { "policy.networking.k8s.io/v1alpha1", "AdminNetworkPolicyList", $"metadata:\n{Meta}\n    generation: 1\n    name: deny-sensitive\nspec:\n  priority: 10\n  subject:\n    namespaces: {{matchLabels: {{kubernetes.io/metadata.name: shop}}}}\n  ingress:\n  - action: Deny\n    from:\n    - namespaces: {{matchLabels: {{zone: dmz}}}}\n    name: no-dmz\nstatus:\n  conditions: []" },
        { "policy.networking.k8s.io/v1alpha1", "BaselineAdminNetworkPolicyList", $"metadata:\n{Meta}\n    name: default\nspec:\n  subject:\n    namespaces: {{}}\n  ingress:\n  - action: Deny\n    from:\n    - namespaces: {{}}\n    name: default-deny" },
        { "policy.networking.k8s.io/v1alpha2", "ClusterNetworkPolicyList", $"metadata:\n{Meta}\n    name: pass-monitoring\nspec:\n  tier: Admin\n  priority: 20\n  subject:\n    namespaces: {{}}\n  ingress:\n  - action: Pass\n    from:\n    - namespaces: {{matchLabels: {{kubernetes.io/metadata.name: monitoring}}}}\n    name: monitoring" },
        { "projectcalico.org/v3", "TierList", $"metadata:\n{Meta}\n    name: security\nspec:\n  defaultAction: Pass\n  order: 100" },
        { "projectcalico.org/v3", "NetworkPolicyList", $"metadata:\n{Meta}\n    name: default.allow-web\n    namespace: shop\nspec:\n  ingress:\n  - action: Allow\n    destination:\n      ports: [8080]\n    protocol: TCP\n    source:\n      selector: app == 'gateway'\n  order: 100\n  selector: app == 'web'\n  tier: default\n  types: [Ingress]" },
        { "projectcalico.org/v3", "GlobalNetworkPolicyList", $"metadata:\n{Meta}\n    name: default.deny-dmz\nspec:\n  ingress:\n  - action: Deny\n    source:\n      namespaceSelector: zone == 'dmz'\n  order: 10\n  selector: all()\n  types: [Ingress]" },
        { "projectcalico.org/v3", "NetworkSetList", $"metadata:\n{Meta}\n    labels: {{role: partner}}\n    name: partners\n    namespace: shop\nspec:\n  nets: [203.0.113.0/24]" },
        { "projectcalico.org/v3", "GlobalNetworkSetList", $"metadata:\n{Meta}\n    labels: {{role: blocked}}\n    name: blocked\nspec:\n  nets: [198.51.100.0/24]" },
        { "projectcalico.org/v3", "StagedNetworkPolicyList", $"metadata:\n{Meta}\n    name: default.try-web\n    namespace: shop\nspec:\n  ingress:\n  - action: Allow\n  selector: app == 'web'\n  types: [Ingress]" },
        { "projectcalico.org/v3", "StagedGlobalNetworkPolicyList", $"metadata:\n{Meta}\n    name: default.try-all\nspec:\n  selector: all()\n  types: [Ingress]" },
        { "projectcalico.org/v3", "StagedKubernetesNetworkPolicyList", $"metadata:\n{Meta}\n    name: try-web\n    namespace: shop\nspec:\n  podSelector: {{}}" },
    };

    [Theory]
    [MemberData(nameof(Lists))]
    public void TypedList_ItemsWithoutKind_ReadAsTheSameObjectsWrittenOut(string apiVersion, string listKind, string item)
    {
        var kind = listKind[..^"List".Length];
        var list = $"apiVersion: {apiVersion}\nitems:\n- {item.Replace("\n", "\n  ", StringComparison.Ordinal)}\nkind: {listKind}\nmetadata:\n  resourceVersion: \"104299\"\n";
        var written = $"apiVersion: {apiVersion}\nkind: {kind}\n{item}";

        var fromList = new ManifestLoader().LoadText(list, "list.yaml");
        var alone = new ManifestLoader().LoadText(written, "object.yaml");

        Assert.True(alone.Succeeded, string.Join("\n", alone.Diagnostics));
        Assert.True(fromList.Succeeded, string.Join("\n", fromList.Diagnostics));
        Assert.Empty(fromList.Skipped);
        Assert.Equal(1, fromList.ObjectCount);
        Assert.Equal(Summary(alone), Summary(fromList));
        Assert.NotEqual(Summary(new ManifestLoader().LoadText("apiVersion: v1\nkind: List\nitems: []\n")), Summary(fromList));
    }

    [Fact]
    public void TypedList_ItemThatNamesItsOwnKind_KeepsIt()
    {
        var result = new ManifestLoader().LoadText("""
            apiVersion: v1
            kind: PodList
            items:
            - metadata: {name: a, namespace: x}
            - apiVersion: v1
              kind: Namespace
              metadata: {name: other}
            """);

        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        Assert.Equal("x/a", Assert.Single(result.Cluster.Workloads).Id);
        Assert.Contains(result.Cluster.Namespaces, n => n.Name == "other");
    }

    [Fact]
    public void GenericList_ItemWithoutKind_IsStillAnError()
    {
        // 'kind: List' (what kubectl prints) says nothing about its items: each must name its kind.
        var result = new ManifestLoader().LoadText("apiVersion: v1\nkind: List\nitems:\n- metadata: {name: a, namespace: x}\n", "list.yaml");

        Assert.Equal(["items[0].apiVersion", "items[0].kind"], result.Errors.Select(e => e.Path).Order(StringComparer.Ordinal));
    }

    private static string Controller(string name, string spec) =>
        $"metadata:\n{Meta}\n    annotations: {{deployment.kubernetes.io/revision: \"3\"}}\n    generation: 3\n    name: {name}\n    namespace: shop\nspec:\n{spec}  selector:\n    matchLabels: {{app: {name}}}\n  template:\n    metadata:\n      labels: {{app: {name}}}\n    spec:\n{Indent(PodSpec)}\nstatus:\n  observedGeneration: 3";

    private static string Indent(string text) => "    " + text.Replace("\n", "\n    ", StringComparison.Ordinal);

    /// <summary>What a load holds, by name: objects read, namespaces, workloads, nodes, network sets, tiers and policies.</summary>
    private static string Summary(LoadResult result) => string.Join(
        "\n",
        new[] { $"{result.ObjectCount} objects" }.Concat(result.Cluster.Namespaces.Select(n => $"namespace {n.Name} {n.Labels}")
            .Concat(result.Cluster.Workloads.Select(w => $"workload {w.Id} {w.Kind} {w.Labels} {w.ServiceAccount} {string.Join(",", w.Ports)} {string.Join(",", w.Addresses)}"))
            .Concat(result.Cluster.Nodes.Select(n => $"node {n.Name} {n.Labels}"))
            .Concat(result.Cluster.NetworkSets.Select(s => $"set {s.Namespace}/{s.Name} {string.Join(",", s.Nets)}"))
            .Concat(result.Policies.Tiers.SelectMany(t => t.Policies.Select(p => $"{t.Name}: {p.Name} {p.Namespace} {p.Source.Kind} {p.Staged} {p.IngressRules.Count}/{p.EgressRules.Count}")))));
}
