using System.Text.Json.Nodes;

namespace Palisade.Server.Api;

/// <summary>The discovery documents kubectl reads to map kinds to resources: <c>/version</c>, <c>/api</c>, <c>/apis</c>, a group-version's resource list.</summary>
internal sealed class Discovery(ResourceCatalog catalog)
{
    /// <summary>The Kubernetes version whose API conventions the server follows (kubectl warns beyond one minor of skew).</summary>
    public const string KubernetesVersion = "v1.32.0";

    public static JsonObject Version() => new()
    {
        ["major"] = "1",
        ["minor"] = "32",
        ["gitVersion"] = KubernetesVersion + "+palisade",
        ["gitCommit"] = string.Empty,
        ["gitTreeState"] = "clean",
        ["buildDate"] = "1970-01-01T00:00:00Z",
        ["goVersion"] = string.Empty,
        ["compiler"] = "dotnet",
        ["platform"] = "linux/amd64",
    };

    public static JsonObject CoreVersions(string serverAddress) => new()
    {
        ["kind"] = "APIVersions",
        ["versions"] = new JsonArray("v1"),
        ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject { ["clientCIDR"] = "0.0.0.0/0", ["serverAddress"] = serverAddress }),
    };

    public JsonObject GroupList() => new()
    {
        ["kind"] = "APIGroupList",
        ["apiVersion"] = "v1",
        ["groups"] = new JsonArray([.. catalog.Groups().Select(g => (JsonNode)Group(g.Group, g.Versions))]),
    };

    public JsonObject? Group(string name) =>
        catalog.Groups().Where(g => g.Group == name).Select(g => Group(g.Group, g.Versions)).FirstOrDefault();

    /// <summary>The resources of a group-version, or null when the server serves none there.</summary>
    public JsonObject? ResourceList(string group, string version)
    {
        var kinds = catalog.InGroupVersion(group, version).ToList();
        if (kinds.Count == 0)
        {
            return null;
        }

        var resources = new JsonArray();
        foreach (var k in kinds)
        {
            resources.Add(new JsonObject
            {
                ["name"] = k.Plural,
                ["singularName"] = k.Singular,
                ["namespaced"] = k.Namespaced,
                ["kind"] = k.Kind,
                ["verbs"] = new JsonArray([.. ResourceKind.Verbs.Select(v => (JsonNode)v)]),
                ["shortNames"] = new JsonArray([.. k.ShortNames.Select(s => (JsonNode)s)]),
            });
            if (k.Kind is "Pod" or "ReplicationController" or "Deployment" or "StatefulSet" or "DaemonSet" or "ReplicaSet" or "Job" or "CronJob")
            {
                // 'kubectl get all' means the workloads, as in Kubernetes (not namespaces, accounts or policies).
                resources[^1]!["categories"] = new JsonArray("all");
            }
        }

        return new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = group.Length == 0 ? version : $"{group}/{version}",
            ["resources"] = resources,
        };
    }

    private static JsonObject Group(string name, IReadOnlyList<string> versions)
    {
        JsonObject Version(string v) => new() { ["groupVersion"] = $"{name}/{v}", ["version"] = v };
        return new JsonObject
        {
            ["kind"] = "APIGroup",
            ["apiVersion"] = "v1",
            ["name"] = name,
            ["versions"] = new JsonArray([.. versions.Select(v => (JsonNode)Version(v))]),
            ["preferredVersion"] = Version(versions[0]),
        };
    }
}
