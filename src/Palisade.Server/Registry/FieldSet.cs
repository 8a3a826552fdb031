using System.Text.Json.Nodes;
using Palisade.Server.Patching;

namespace Palisade.Server.Registry;

/// <summary>
/// The fields an object sets, as server-side apply counts ownership: paths of <c>f:NAME</c> steps, <c>k:{"KEY":VALUE}</c>
/// for an item of a list that merges by key (with <c>.</c> for the item itself), ending at a value, an empty map or an
/// atomic list; written in managedFields as Kubernetes' FieldsV1. Identity and server-set metadata are nobody's.
/// </summary>
internal sealed class FieldSet
{
    private const char Separator = '\u001f';
    private static readonly HashSet<string> OwnedMetadata = new(StringComparer.Ordinal) { "labels", "annotations", "finalizers", "ownerReferences" };
    private readonly HashSet<string> paths;

    private FieldSet(HashSet<string> paths) => this.paths = paths;

    public static FieldSet Empty => new([]);

    public int Count => paths.Count;

    public IEnumerable<string> Paths => paths;

    /// <summary>The fields <paramref name="obj"/> sets.</summary>
    public static FieldSet Of(JsonObject obj)
    {
        var paths = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, value) in obj)
        {
            if (key is "apiVersion" or "kind" or "status")
            {
                continue;
            }

            if (key == "metadata" && value is JsonObject metadata)
            {
                foreach (var (field, v) in metadata.Where(p => OwnedMetadata.Contains(p.Key)))
                {
                    Walk(v, field, $"f:metadata{Separator}f:{field}", paths);
                }

                continue;
            }

            Walk(value, key, "f:" + key, paths);
        }

        return new FieldSet(paths);
    }

    public static FieldSet FromPaths(IEnumerable<string> paths) => new(new HashSet<string>(paths, StringComparer.Ordinal));

    /// <summary>Reads a managedFields entry's fieldsV1.</summary>
    public static FieldSet FromFieldsV1(JsonObject? fields)
    {
        var paths = new HashSet<string>(StringComparer.Ordinal);
        if (fields is not null)
        {
            Read(fields, string.Empty, paths);
        }

        return new FieldSet(paths);
    }

    public bool Contains(string path) => paths.Contains(path);

    public FieldSet Union(FieldSet other) => new([.. paths, .. other.paths]);

    public FieldSet Except(FieldSet other) => new([.. paths.Where(p => !other.paths.Contains(p))]);

    public FieldSet Intersect(FieldSet other) => new([.. paths.Where(other.paths.Contains)]);

    /// <summary>As managedFields writes it: nested maps of steps, <c>{}</c> at each end.</summary>
    public JsonObject ToFieldsV1()
    {
        var root = new JsonObject();
        foreach (var path in paths.Order(StringComparer.Ordinal))
        {
            var node = root;
            foreach (var step in path.Split(Separator))
            {
                if (node[step] is not JsonObject next)
                {
                    next = [];
                    node[step] = next;
                }

                node = next;
            }
        }

        return root;
    }

    /// <summary>The value at a path, or null when the object does not set it.</summary>
    public static JsonNode? Get(JsonObject obj, string path)
    {
        JsonNode? node = obj;
        foreach (var step in path.Split(Separator))
        {
            node = Step(node, step);
            if (node is null)
            {
                return null;
            }
        }

        return node;
    }

    /// <summary>Removes what a path names (a field, or a keyed list's item) from the object.</summary>
    public static void Remove(JsonObject obj, string path)
    {
        var steps = path.Split(Separator);
        if (steps[^1] == ".")
        {
            steps = steps[..^1];
        }

        JsonNode? parent = obj;
        foreach (var step in steps[..^1])
        {
            parent = Step(parent, step);
            if (parent is null)
            {
                return;
            }
        }

        var last = steps[^1];
        switch (parent)
        {
            case JsonObject map when last.StartsWith("f:", StringComparison.Ordinal):
                map.Remove(last[2..]);
                break;
            case JsonArray list when last.StartsWith("k:", StringComparison.Ordinal) && Step(list, last) is { } item:
                list.Remove(item);
                break;
        }
    }

    /// <summary>Paths as users read them in conflicts: <c>.spec.replicas</c>, <c>.spec.containers[name="web"].image</c>.</summary>
    public static string Display(string path) => string.Concat(path.Split(Separator).Where(s => s != ".").Select(s =>
        s.StartsWith("f:", StringComparison.Ordinal) ? "." + s[2..] : "[" + s[2..].Trim('{', '}').Replace(":", "=", StringComparison.Ordinal) + "]"));

    private static JsonNode? Step(JsonNode? node, string step)
    {
        if (step == ".")
        {
            return node;
        }

        if (step.StartsWith("f:", StringComparison.Ordinal))
        {
            return node is JsonObject map ? map[step[2..]] : null;
        }

        if (step.StartsWith("k:", StringComparison.Ordinal) && node is JsonArray list && JsonNode.Parse(step[2..]) is JsonObject key)
        {
            return list.OfType<JsonObject>().FirstOrDefault(item => key.All(k => JsonNode.DeepEquals(item[k.Key], k.Value)));
        }

        return null;
    }

    private static void Walk(JsonNode? node, string field, string prefix, HashSet<string> into)
    {
        switch (node)
        {
            case JsonObject map when map.Count > 0:
                foreach (var (key, value) in map)
                {
                    Walk(value, key, $"{prefix}{Separator}f:{key}", into);
                }

                break;
            case JsonArray list when StrategicMergePatch.TryGetMergeKey(field, out var mergeKey) && list.Count > 0 &&
                                     list.All(i => i is JsonObject o && o[mergeKey] is not null):
                foreach (var item in list.Cast<JsonObject>())
                {
                    var itemPath = $"{prefix}{Separator}k:{new JsonObject { [mergeKey] = item[mergeKey]!.DeepClone() }.ToJsonString()}";
                    into.Add(itemPath + Separator + ".");
                    foreach (var (key, value) in item)
                    {
                        Walk(value, key, $"{itemPath}{Separator}f:{key}", into);
                    }
                }

                break;
            default:
                into.Add(prefix);
                break;
        }
    }

    private static void Read(JsonObject node, string prefix, HashSet<string> into)
    {
        foreach (var (step, child) in node)
        {
            var path = prefix.Length == 0 ? step : prefix + Separator + step;
            if (child is JsonObject map && map.Count > 0)
            {
                Read(map, path, into);
            }
            else
            {
                into.Add(path);
            }
        }
    }
}
