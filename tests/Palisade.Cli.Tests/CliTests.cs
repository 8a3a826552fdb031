using System.Text.Json;

namespace Palisade.Cli.Tests;

public sealed class CliTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("palisade-cli-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static string K8sCluster => Path.Combine(RepoPaths.Upstream, "k8s-netpol", "cluster.yaml");

    private string Write(string name, string text)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private string DenyIngressToXa() => Write("deny.yaml", """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: deny-a, namespace: x}
        spec:
          podSelector: {matchLabels: {pod: a}}
          ingress:
          - from:
            - podSelector: {matchLabels: {pod: b}}
            ports:
            - port: serve-80-tcp
        """);

    [Fact]
    public void Check_AllowedFlow_ExitsZero_AndNamesTheRule()
    {
        var (code, stdout, _) = CliRunner.Run("check", "-f", K8sCluster, "-f", DenyIngressToXa(), "--from", "x/b", "--to", "x/a", "--port", "80/TCP");

        Assert.Equal(0, code);
        Assert.Contains("x/b -> x/a on 80/TCP: ALLOWED", stdout, StringComparison.Ordinal);
        Assert.Contains("ingress: allowed by NetworkPolicy x/deny-a spec.ingress[0] in tier default", stdout, StringComparison.Ordinal);
        Assert.Contains("egress: allowed (no policy selects x/b for egress: not isolated)", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_DeniedFlow_ExitsOne_AndExplainsTheTierEnd()
    {
        var (code, stdout, _) = CliRunner.Run("check", "-f", K8sCluster, "-f", DenyIngressToXa(), "--from", "x/c", "--to", "x/a", "--port", "80");

        Assert.Equal(1, code);
        Assert.Contains("DENIED", stdout, StringComparison.Ordinal);
        Assert.Contains("NetworkPolicy x/deny-a selects x/a for ingress in tier default and no rule of it allows this flow", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_Json_HasStepsForBothDirections()
    {
        var (code, stdout, _) = CliRunner.Run("check", "-f", K8sCluster, "-f", DenyIngressToXa(), "--from", "x/b", "--to", "10.0.1.1", "--port", "81/TCP", "-o", "json");

        Assert.Equal(1, code);
        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        Assert.Equal("x/a", root.GetProperty("to").GetString());
        Assert.False(root.GetProperty("allowed").GetBoolean());
        var ingress = root.GetProperty("ingress");
        Assert.Equal("tier-end-denied", ingress.GetProperty("reason").GetString());
        Assert.Equal("NetworkPolicy x/deny-a", ingress.GetProperty("policies")[0].GetString());
        Assert.Equal("policy-applies", ingress.GetProperty("steps")[0].GetProperty("step").GetString());
        Assert.Equal("decided", ingress.GetProperty("steps")[1].GetProperty("step").GetString());
    }

    [Fact]
    public void Check_ToAnOutsideAddress_JudgesOnlyEgress()
    {
        var (code, stdout, _) = CliRunner.Run("check", "-f", K8sCluster, "--from", "x/a", "--to", "192.0.2.1", "--port", "443", "-o", "json");

        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal("not-a-workload", doc.RootElement.GetProperty("ingress").GetProperty("reason").GetString());
    }

    [Fact]
    public void Check_UnknownWorkload_ExitsTwo_WithHint()
    {
        var (code, _, stderr) = CliRunner.Run("check", "-f", K8sCluster, "--from", "x/nope", "--to", "x/a", "--port", "80");

        Assert.Equal(2, code);
        Assert.Contains("--from x/nope: no such workload", stderr, StringComparison.Ordinal);
        Assert.Contains("x/a", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("80/ICMP")]
    [InlineData("0")]
    [InlineData("http")]
    [InlineData("80/TCP/x")]
    public void Check_BadPort_ExitsTwo(string port)
    {
        var (code, _, stderr) = CliRunner.Run("check", "-f", K8sCluster, "--from", "x/a", "--to", "x/b", "--port", port);

        Assert.Equal(2, code);
        Assert.Contains("--port", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Connectivity_WithoutPorts_UsesDeclaredPorts()
    {
        var path = Write("two.yaml", """
            apiVersion: v1
            kind: Pod
            metadata: {name: a, namespace: nn}
            spec: {containers: [{name: c, ports: [{containerPort: 8080}]}]}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: b, namespace: nn}
            spec: {containers: [{name: c, ports: [{containerPort: 53, protocol: UDP}, {containerPort: 9090}]}]}
            """);

        var (code, stdout, _) = CliRunner.Run("connectivity", "-f", path, "-o", "json");

        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(stdout);
        var conns = doc.RootElement.GetProperty("connections").EnumerateArray()
            .Select(c => $"{c.GetProperty("from").GetString()}>{c.GetProperty("to").GetString()}:{c.GetProperty("port").GetInt32()}/{c.GetProperty("protocol").GetString()}")
            .ToList();
        Assert.Equal(["nn/a>nn/b:53/UDP", "nn/a>nn/b:9090/TCP", "nn/b>nn/a:8080/TCP"], conns);
    }

    [Fact]
    public void Connectivity_Matrix_PrintsTruthTablePerPort()
    {
        var (code, stdout, _) = CliRunner.Run("connectivity", "-f", K8sCluster, "-f", DenyIngressToXa(), "--port", "80/TCP", "-o", "matrix");

        Assert.Equal(0, code);
        var lines = stdout.Split('\n');
        Assert.Equal("80/TCP", lines[0]);
        var xb = lines.Single(l => l.StartsWith("x/b ", StringComparison.Ordinal)).Split('\t', StringSplitOptions.TrimEntries);
        var xc = lines.Single(l => l.StartsWith("x/c ", StringComparison.Ordinal)).Split('\t', StringSplitOptions.TrimEntries);
        Assert.EndsWith(".", xb[0], StringComparison.Ordinal); // x/b -> x/a allowed
        Assert.EndsWith("X", xc[0], StringComparison.Ordinal); // x/c -> x/a denied
        Assert.Equal("-", xb[1]);
    }

    [Fact]
    public void Connectivity_Table_CountsAllowedAndDenied()
    {
        var (code, stdout, _) = CliRunner.Run("connectivity", "-f", K8sCluster, "-f", DenyIngressToXa(), "--port", "80/TCP");

        Assert.Equal(0, code);
        Assert.Contains("72 connections: 65 allowed, 7 denied.", stdout, StringComparison.Ordinal);
        Assert.Contains("FROM", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("\u001b[", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Connectivity_BadManifest_ExitsTwo_NamesFileLineAndPath_AndPrintsNoResult()
    {
        var bad = Write("bad.yaml", "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\nspec:\n  podSelector: {}\n  ingress:\n  - ports:\n    - port: 99999\n");

        var (code, stdout, stderr) = CliRunner.Run("connectivity", "-f", K8sCluster, "-f", bad);

        Assert.Equal(2, code);
        Assert.Equal(string.Empty, stdout);
        Assert.Contains($"{bad}:8:13: error: document 1 (NetworkPolicy x/p): spec.ingress[0].ports[0].port: must be between 1 and 65535, got 99999", stderr, StringComparison.Ordinal);
        Assert.Contains("nothing was analysed", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Select_MatchesWorkloadsByLabels()
    {
        var (code, stdout, _) = CliRunner.Run("select", "pod == 'a'", "-f", K8sCluster, "-o", "json");

        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal(["x/a", "y/a", "z/a"], doc.RootElement.GetProperty("workloads").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public void Select_InvalidSelector_ExitsTwo_WithPosition()
    {
        var (code, _, stderr) = CliRunner.Run("select", "pod == ", "-f", K8sCluster);

        Assert.Equal(2, code);
        Assert.Contains("invalid selector", stderr, StringComparison.Ordinal);
        Assert.Contains("position", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_ListsCommandsAndExamples()
    {
        var (code, stdout, _) = CliRunner.Run("--help");

        Assert.Equal(0, code);
        Assert.Contains("connectivity", stdout, StringComparison.Ordinal);
        Assert.Contains("check", stdout, StringComparison.Ordinal);
        Assert.Contains("select", stdout, StringComparison.Ordinal);
        Assert.Contains("Examples:", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void CommandHelp_WorksWithoutRequiredOptions()
    {
        var (code, stdout, _) = CliRunner.Run("check", "--help");

        Assert.Equal(0, code);
        Assert.Contains("--from", stdout, StringComparison.Ordinal);
        Assert.Contains("Examples:", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingRequiredOption_ExitsTwo()
    {
        var (code, _, stderr) = CliRunner.Run("connectivity");

        Assert.Equal(2, code);
        Assert.Contains("--file", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Verbose_ListsSkippedObjects()
    {
        var path = Write("svc.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: nn}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: nn}\n");

        var (code, _, stderr) = CliRunner.Run("connectivity", "-f", path, "-v");

        Assert.Equal(0, code);
        Assert.Contains("skipped Service nn/web (v1) at", stderr, StringComparison.Ordinal);
    }
}
