using System.Diagnostics;
using System.Globalization;
using Palisade.Manifests;
using Palisade.Model.Cluster;

namespace Palisade.Lab.Tests;

/// <summary>Manifests, state paths and the server command the lab tests share.</summary>
internal static class LabTestSupport
{
    /// <summary>Four pods in two namespaces: two on each node once spread over two nodes.</summary>
    public const string FourPods = """
        apiVersion: v1
        kind: Pod
        metadata: {name: a, namespace: x, labels: {pod: a}}
        spec: {containers: [{name: c, ports: [{containerPort: 80}, {containerPort: 81, protocol: UDP}, {containerPort: 82, protocol: SCTP}]}]}
        status: {podIP: 10.0.1.1}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: b, namespace: x, labels: {pod: b}}
        spec: {containers: [{name: c, ports: [{containerPort: 80}, {containerPort: 81, protocol: UDP}]}]}
        status: {podIP: 10.0.1.2}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: a, namespace: "y", labels: {pod: a}}
        spec: {containers: [{name: c, ports: [{containerPort: 80}, {containerPort: 81, protocol: UDP}]}]}
        status: {podIP: 10.0.2.1}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: b, namespace: "y", labels: {pod: b}}
        spec: {containers: [{name: c, ports: [{containerPort: 80}, {containerPort: 81, protocol: UDP}]}]}
        status: {podIP: 10.0.2.2}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: x}
        spec:
          replicas: 2
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec: {containers: [{name: c, ports: [{containerPort: 8080}]}]}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: agent, namespace: "y"}
        spec: {hostNetwork: true, containers: [{name: c}]}
        status: {podIP: 192.168.0.10}
        """;

    public static ClusterSnapshot Load(string yaml)
    {
        var result = new ManifestLoader().LoadText(yaml, "lab.yaml");
        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        return result.Cluster;
    }

    /// <summary>A synthetic cluster of <paramref name="pods"/> pods in ten namespaces, each serving 8080/TCP and 53/UDP.</summary>
    public static string ManyPods(int pods) => string.Join("---\n", Enumerable.Range(0, pods).Select(i => string.Create(CultureInfo.InvariantCulture,
        $"apiVersion: v1\nkind: Pod\nmetadata: {{name: pod{i}, namespace: team{i % 10}, labels: {{app: a{i % 7}}}}}\n" +
        $"spec: {{containers: [{{name: c, ports: [{{containerPort: 8080}}, {{containerPort: 53, protocol: UDP}}]}}]}}\n" +
        $"status: {{podIP: 10.{20 + (i / 12500)}.{i / 50 % 250}.{(i % 50) + 1}}}\n")));

    public static string NewStatePath() => Path.Combine(Directory.CreateTempSubdirectory("palisade-lab-").FullName, "state.json");

    /// <summary>The command line of the CLI's <c>lab serve</c>, built next to the tests.</summary>
    public static IReadOnlyList<string> ServerCommand(string statePath) =>
    [
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet",
        "exec",
        Path.Combine(AppContext.BaseDirectory, "palisade.dll"),
        "lab", "serve", "--state", statePath,
    ];

    /// <summary>The lab's namespaces as <c>ip netns list</c> reports them.</summary>
    public static List<string> LabNamespacesListed()
    {
        var psi = new ProcessStartInfo("ip", "netns list") { RedirectStandardOutput = true };
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ')[0])
            .Where(n => n == "pal-fabric" || n.StartsWith("pal-node-", StringComparison.Ordinal) || n.StartsWith("pal-p-", StringComparison.Ordinal))];
    }
}
