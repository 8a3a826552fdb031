using System.Text.Json;
using Palisade.Dataplane.Nftables;

namespace Palisade.Agent;

/// <summary>
/// Which pods are on a node and which host-side interface each uses, read from the lab's state file (the lab plays the
/// part of a CNI plugin on this machine). Read on every reload, so pods the lab adds are picked up.
/// </summary>
public static class LabLocals
{
    public const string DefaultStatePath = "/run/palisade/lab/state.json";

    public static Func<IReadOnlyList<RulesetRenderer.LocalEndpoint>> For(string node, string statePath = DefaultStatePath) => () => Read(node, statePath);

    public static IReadOnlyList<RulesetRenderer.LocalEndpoint> Read(string node, string statePath)
    {
        if (!File.Exists(statePath))
        {
            return [];
        }

        using var doc = JsonDocument.Parse(File.ReadAllText(statePath));
        var result = new List<RulesetRenderer.LocalEndpoint>();
        if (Property(doc.RootElement, "pods") is not { ValueKind: JsonValueKind.Array } pods)
        {
            return result;
        }

        foreach (var pod in pods.EnumerateArray())
        {
            if (Property(pod, "node")?.GetString() == node &&
                Property(pod, "workloadId")?.GetString() is { } id &&
                Property(pod, "interface")?.GetString() is { } iface)
            {
                result.Add(new RulesetRenderer.LocalEndpoint(id, iface));
            }
        }

        return result;
    }

    private static JsonElement? Property(JsonElement element, string name)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        foreach (var p in element.EnumerateObject())
        {
            if (string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return p.Value;
            }
        }

        return null;
    }
}
