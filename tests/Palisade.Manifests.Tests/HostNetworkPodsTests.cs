namespace Palisade.Manifests.Tests;

/// <summary>Pods on the host's network are read as not isolated by default, and as ordinary pods when asked.</summary>
public sealed class HostNetworkPodsTests
{
    private const string Pods = """
        apiVersion: v1
        kind: Pod
        metadata: {name: agent, namespace: x, labels: {app: agent}}
        spec:
          hostNetwork: true
          containers: [{name: c, image: i, ports: [{containerPort: 9100}]}]
        ---
        apiVersion: apps/v1
        kind: DaemonSet
        metadata: {name: exporter, namespace: x}
        spec:
          selector: {matchLabels: {app: exporter}}
          template:
            metadata: {labels: {app: exporter}}
            spec: {hostNetwork: true, containers: [{name: c, image: i}]}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: web, namespace: x, labels: {app: web}}
        spec: {containers: [{name: c, image: i}]}
        """;

    [Fact]
    public void ByDefault_HostNetworkPods_AreReadAsHostNetwork()
    {
        var result = new ManifestLoader().LoadText(Pods);

        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        Assert.Equal(["x/agent", "x/exporter"], result.Cluster.Workloads.Where(w => w.HostNetwork).Select(w => w.Id).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Ordinary_HostNetworkPods_AreReadAsOrdinaryPods_OtherwiseAlike()
    {
        var unisolated = new ManifestLoader().LoadText(Pods);
        var ordinary = new ManifestLoader(hostNetworkPods: HostNetworkPods.Ordinary).LoadText(Pods);

        Assert.True(ordinary.Succeeded, string.Join("\n", ordinary.Diagnostics));
        Assert.DoesNotContain(ordinary.Cluster.Workloads, w => w.HostNetwork);
        Assert.Equal(unisolated.Cluster.Workloads.Select(w => w with { HostNetwork = false }), ordinary.Cluster.Workloads);
    }
}
