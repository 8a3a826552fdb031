using System.Globalization;
using System.Text;

namespace Palisade.Bench;

/// <summary>Manifests of the agent measurements (and the enforcement tests): the bench's pods, policies, and the client's allowance.</summary>
internal static class BenchManifests
{
    private const int Port = DataplaneBench.Port;

    /// <summary>A cluster of <paramref name="pods"/> pods and <paramref name="policies"/> policies, plus the bench client and server.</summary>
    internal static string AgentManifests(int pods, int policies)
    {
        var sb = new StringBuilder();
        var client = BenchTopology.ClientAddress.ToString();
        var server = BenchTopology.ServerAddress.ToString();
        sb.Append("apiVersion: v1\nkind: Pod\nmetadata: {name: client, namespace: bench, labels: {app: client}}\nstatus: {podIP: ").Append(client).Append("}\n---\n");
        sb.Append("apiVersion: v1\nkind: Pod\nmetadata: {name: server, namespace: bench, labels: {app: server}}\n");
        sb.Append(CultureInfo.InvariantCulture, $"spec: {{containers: [{{name: c, ports: [{{containerPort: {Port}, name: http}}, {{containerPort: {Port + 1}, name: echo}}]}}]}}\n");
        sb.Append("status: {podIP: ").Append(server).Append("}\n---\n");
        sb.Append("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: default-deny, namespace: bench}\nspec: {podSelector: {}, policyTypes: [Ingress]}\n");
        for (var i = 0; i < pods; i++)
        {
            sb.Append(CultureInfo.InvariantCulture, $"---\napiVersion: v1\nkind: Pod\nmetadata: {{name: pod-{i}, namespace: team-{i % 50}, labels: {{app: app-{i % 40}}}}}\nspec: {{containers: [{{name: c, ports: [{{containerPort: 9000, name: http}}]}}]}}\nstatus: {{podIP: 10.100.{i >> 8}.{i & 255}}}\n");
        }

        for (var i = 0; i < policies; i++)
        {
            sb.Append(CultureInfo.InvariantCulture, $"---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: np-{i}, namespace: team-{i % 50}}}\nspec:\n  podSelector: {{matchLabels: {{app: app-{i % 40}}}}}\n  ingress:\n  - from: [{{podSelector: {{matchLabels: {{app: app-{(i + 1) % 40}}}}}}}]\n    ports: [{{port: http}}]\n");
        }

        return sb.ToString();
    }

    internal static string Toggle(bool allow) => allow ? AllowClient("allow-client") : "# nothing allowed\n";

    /// <summary>
    /// A NetworkPolicy in namespace bench by which the server admits the client on these TCP ports (on every port when
    /// none is given): the policy the agent measurements and the enforcement tests switch on and off.
    /// </summary>
    internal static string AllowClient(string name, params int[] ports)
    {
        var only = ports.Length == 0 ? string.Empty : $"\n    ports: [{string.Join(", ", ports.Select(p => string.Create(CultureInfo.InvariantCulture, $"{{port: {p}}}")))}]";
        return $"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: {name}, namespace: bench}}\nspec:\n  podSelector: {{matchLabels: {{app: server}}}}\n  ingress:\n  - from: [{{podSelector: {{matchLabels: {{app: client}}}}}}]{only}\n";
    }
}
