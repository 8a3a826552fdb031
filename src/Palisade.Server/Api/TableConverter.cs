using System.Globalization;
using System.Text.Json.Nodes;

namespace Palisade.Server.Api;

/// <summary>
/// Turns objects into the <c>meta.k8s.io/v1</c> Table kubectl prints by default: a name and age for every kind, and
/// for some kinds the column kubectl users expect (a namespace's phase, a policy's pod selector or priority).
/// </summary>
internal sealed class TableConverter(TimeProvider time)
{
    public JsonObject Table(ResourceKind kind, IEnumerable<JsonObject> objects, string? resourceVersion, string? continueToken, bool includeColumns = true)
    {
        var columns = Columns(kind);
        var rows = new JsonArray();
        foreach (var obj in objects)
        {
            var cells = new JsonArray(ObjectMeta.Name(obj));
            foreach (var (_, _, cell) in columns)
            {
                cells.Add(cell(obj));
            }

            cells.Add(Age(obj));
            rows.Add(new JsonObject
            {
                ["cells"] = cells,
                ["object"] = new JsonObject
                {
                    ["kind"] = "PartialObjectMetadata",
                    ["apiVersion"] = "meta.k8s.io/v1",
                    ["metadata"] = ObjectMeta.Of(obj).DeepClone(),
                },
            });
        }

        var metadata = new JsonObject();
        if (resourceVersion is not null)
        {
            metadata["resourceVersion"] = resourceVersion;
        }

        if (continueToken is not null)
        {
            metadata["continue"] = continueToken;
        }

        var table = new JsonObject { ["kind"] = "Table", ["apiVersion"] = "meta.k8s.io/v1", ["metadata"] = metadata };
        if (includeColumns)
        {
            var definitions = new JsonArray(Column("Name", "Name must be unique within a namespace."));
            foreach (var (name, description, _) in columns)
            {
                definitions.Add(Column(name, description));
            }

            definitions.Add(Column("Age", "Time since the object was created."));
            table["columnDefinitions"] = definitions;
        }

        table["rows"] = rows;
        return table;
    }

    /// <summary>Kubernetes' short human duration (<c>45s</c>, <c>3m20s</c>, <c>5h</c>, <c>12d</c>), as kubectl prints ages.</summary>
    public static string HumanDuration(TimeSpan d)
    {
        var seconds = (long)d.TotalSeconds;
        if (seconds < -1)
        {
            return "<invalid>";
        }

        if (seconds < 0)
        {
            return "0s";
        }

        if (seconds < 60 * 2)
        {
            return Format($"{seconds}s");
        }

        var minutes = seconds / 60;
        if (minutes < 10)
        {
            return seconds % 60 == 0 ? Format($"{minutes}m") : Format($"{minutes}m{seconds % 60}s");
        }

        if (minutes < 60 * 3)
        {
            return Format($"{minutes}m");
        }

        var hours = minutes / 60;
        if (hours < 8)
        {
            return minutes % 60 == 0 ? Format($"{hours}h") : Format($"{hours}h{minutes % 60}m");
        }

        if (hours < 48)
        {
            return Format($"{hours}h");
        }

        if (hours < 24 * 8)
        {
            return hours % 24 == 0 ? Format($"{hours / 24}d") : Format($"{hours / 24}d{hours % 24}h");
        }

        if (hours < 24 * 365 * 2)
        {
            return Format($"{hours / 24}d");
        }

        return hours < 24 * 365 * 8 ? Format($"{hours / 24 / 365}y{hours / 24 % 365}d") : Format($"{hours / 24 / 365}y");

        static string Format(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
    }

    private string Age(JsonObject obj) =>
        ObjectMeta.CreationTimestamp(obj) is { } created ? HumanDuration(time.GetUtcNow() - created) : "<unknown>";

    private static JsonObject Column(string name, string description) => new()
    {
        ["name"] = name,
        ["type"] = "string",
        ["format"] = name == "Name" ? "name" : string.Empty,
        ["description"] = description,
        ["priority"] = 0,
    };

    private static List<(string Name, string Description, Func<JsonObject, JsonNode?> Cell)> Columns(ResourceKind kind) => (kind.Group, kind.Kind) switch
    {
        ("", "Namespace") => [("Status", "The namespace's phase.", o => Text(o, "status", "phase"))],
        ("networking.k8s.io", "NetworkPolicy") => [("Pod-Selector", "The pods the policy applies to.", PodSelector)],
        ("policy.networking.k8s.io", "AdminNetworkPolicy") => [("Priority", "The policy's priority.", o => Text(o, "spec", "priority"))],
        ("policy.networking.k8s.io", "ClusterNetworkPolicy") =>
            [("Tier", "The policy's tier.", o => Text(o, "spec", "tier")), ("Priority", "The policy's priority.", o => Text(o, "spec", "priority"))],
        ("projectcalico.org", "Tier") => [("Order", "The tier's order.", o => Text(o, "spec", "order"))],
        ("projectcalico.org", _) when kind.Kind.Contains("NetworkPolicy", StringComparison.Ordinal) && kind.Kind != "StagedKubernetesNetworkPolicy" =>
            [("Tier", "The policy's tier.", o => Text(o, "spec", "tier") ?? "default"), ("Order", "The policy's order.", o => Text(o, "spec", "order"))],
        _ => [],
    };

    private static JsonNode? Text(JsonObject obj, string section, string field) =>
        obj[section] is JsonObject s && s[field] is JsonValue v ? v.ToString() : null;

    /// <summary>The pod selector as kubectl prints it: <c>app=web,tier=api</c>, or <c>&lt;none&gt;</c> for all pods.</summary>
    private static JsonNode PodSelector(JsonObject obj)
    {
        if (obj["spec"] is not JsonObject spec || spec["podSelector"] is not JsonObject selector)
        {
            return "<none>";
        }

        var terms = new List<string>();
        if (selector["matchLabels"] is JsonObject labels)
        {
            terms.AddRange(labels.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));
        }

        if (selector["matchExpressions"] is JsonArray expressions)
        {
            foreach (var e in expressions.OfType<JsonObject>())
            {
                var values = e["values"] is JsonArray vs ? string.Join(',', vs.Select(v => v?.ToString())) : string.Empty;
                terms.Add($"{e["key"]} {e["operator"]?.ToString().ToLowerInvariant()} ({values})");
            }
        }

        return terms.Count == 0 ? "<none>" : string.Join(',', terms);
    }
}
