namespace Palisade.Cli.Tests;

/// <summary>
/// <c>--host-network-pods</c>: a host-network pod under a default-deny policy is reachable when read as not isolated
/// (the default) and denied when read as an ordinary pod.
/// </summary>
public sealed class HostNetworkPodsTests : IDisposable
{
    private readonly string file = Path.Combine(Path.GetTempPath(), $"palisade-hostnet-{Environment.ProcessId}-{Guid.NewGuid():N}.yaml");

    public HostNetworkPodsTests() => File.WriteAllText(file, """
        apiVersion: v1
        kind: Pod
        metadata: {name: node-exporter, namespace: mon, labels: {app: exporter}}
        spec:
          hostNetwork: true
          containers: [{name: c, image: i, ports: [{containerPort: 9100}]}]
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: prometheus, namespace: mon, labels: {app: prometheus}}
        spec: {containers: [{name: c, image: i}]}
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: default-deny, namespace: mon}
        spec: {podSelector: {}, policyTypes: [Ingress]}
        """);

    public void Dispose() => File.Delete(file);

    [Theory]
    [InlineData(null, 0)]
    [InlineData("unisolated", 0)]
    [InlineData("ordinary", 1)]
    public void Check_HostNetworkPodUnderDefaultDeny_DependsOnTheReading(string? reading, int exitCode)
    {
        string[] args = ["check", "-f", file, "--from", "mon/prometheus", "--to", "mon/node-exporter", "--port", "9100/TCP"];

        var (code, stdout, stderr) = CliRunner.Run(reading is null ? args : [.. args, "--host-network-pods", reading]);

        Assert.True(exitCode == code, stdout + stderr);
    }

    [Fact]
    public void HostNetworkPods_UnknownReading_IsBadInput()
    {
        var (code, _, stderr) = CliRunner.Run("connectivity", "-f", file, "--host-network-pods", "sometimes");

        Assert.Equal(2, code);
        Assert.Contains("sometimes", stderr, StringComparison.Ordinal);
    }
}
