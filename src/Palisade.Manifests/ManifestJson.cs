using System.Globalization;
using System.Text.Json.Nodes;
using Palisade.Manifests.Yaml;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Palisade.Manifests;

/// <summary>
/// Turns manifests (YAML or JSON, several documents, lists) into JSON objects as kubectl would send them to an API
/// server: scalars typed the way kubectl's YAML reader types them (YAML 1.1), within the loader's limits on nesting,
/// alias expansion and size.
/// </summary>
public static class ManifestJson
{
    /// <summary>Every object of the files and directories (searched as the loader searches them), lists expanded.</summary>
    /// <exception cref="ManifestFormatException">A file is missing, unreadable, not YAML, over a limit, or holds a document that is not an object.</exception>
    public static IReadOnlyList<ManifestObject> ReadPaths(IEnumerable<string> paths, ManifestLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var objects = new List<ManifestObject>();
        foreach (var path in paths)
        {
            var files = File.Exists(path) ? [path]
                : Directory.Exists(path) ? ManifestFiles.Search(path)
                : throw new ManifestFormatException($"{path}: no such file or directory");
            foreach (var file in files)
            {
                try
                {
                    using var reader = new StreamReader(file, detectEncodingFromByteOrderMarks: true);
                    objects.AddRange(Read(reader, file, limits));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw new ManifestFormatException($"{file}: cannot read the file: {e.Message}", e);
                }
            }
        }

        return objects;
    }

    /// <summary>Every object of one YAML or JSON text; a <c>List</c> or typed list (<c>PodList</c>) gives its items.</summary>
    public static IReadOnlyList<ManifestObject> Read(TextReader text, string source, ManifestLimits? limits = null)
    {
        var objects = new List<ManifestObject>();
        using var events = new BoundedParser(text, limits ?? ManifestLimits.Default);
        try
        {
            foreach (var (document, root) in YamlDocuments.Read(events))
            {
                if (ObjectReader.IsNull(root))
                {
                    continue;
                }

                if (Convert(root, source) is not JsonObject o)
                {
                    throw new ManifestFormatException($"{source}:{root.Start.Line}:{root.Start.Column}: document {document} is {Scalars.Describe(root)}, expected an object");
                }

                Add(objects, o, source, document, (int)root.Start.Line, root);
            }
        }
        catch (YamlException e)
        {
            var reason = e.InnerException is YamlException inner ? inner.Message : e.Message;
            throw new ManifestFormatException($"{source}:{e.Start.Line}:{e.Start.Column}: not valid YAML: {Excerpt.Of(reason, 3 * Excerpt.MaxLength)}", e);
        }
        catch (YamlLimitException e)
        {
            throw new ManifestFormatException($"{source}:{e.At?.Line ?? 0}:{e.At?.Column ?? 0}: {e.Message}", e);
        }

        return objects;
    }

    private static void Add(List<ManifestObject> objects, JsonObject o, string source, int document, int line, YamlNode node)
    {
        var kind = o["kind"] is JsonValue k && k.TryGetValue<string>(out var kindText) ? kindText : "";
        if (!kind.EndsWith("List", StringComparison.Ordinal) || o["items"] is not JsonArray items)
        {
            objects.Add(new ManifestObject(source, document, line, o));
            return;
        }

        // A list: its items, with the kind a typed list's items leave out filled in, as client-go does.
        var itemNodes = node is YamlMappingNode m && m.Children.TryGetValue(new YamlScalarNode("items"), out var n) && n is YamlSequenceNode s ? s.Children : null;
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i] is not JsonObject item)
            {
                throw new ManifestFormatException($"{source}:{line}: document {document}: items[{i}] is not an object");
            }

            var itemLine = itemNodes is not null && i < itemNodes.Count ? (int)itemNodes[i].Start.Line : line;
            items[i] = null;
            if (kind != "List")
            {
                item["apiVersion"] ??= o["apiVersion"]?.DeepClone();
                item["kind"] ??= kind[..^"List".Length];
            }

            Add(objects, item, source, document, itemLine, itemNodes is not null && i < itemNodes.Count ? itemNodes[i] : node);
        }
    }

    private static JsonNode? Convert(YamlNode node, string source) => node switch
    {
        YamlMappingNode map => Map(map, source),
        YamlSequenceNode seq => new JsonArray([.. seq.Children.Select(c => Convert(c, source))]),
        YamlScalarNode scalar => Scalar(scalar, source),
        _ => throw new ManifestFormatException($"{source}:{node.Start.Line}:{node.Start.Column}: an unsupported YAML node"),
    };

    private static JsonObject Map(YamlMappingNode map, string source)
    {
        var o = new JsonObject();
        foreach (var (key, value) in map.Children)
        {
            if (key is not YamlScalarNode { Value: { } name })
            {
                throw new ManifestFormatException($"{source}:{key.Start.Line}:{key.Start.Column}: a key must be a string, not {Scalars.Describe(key)}");
            }

            o[name] = Convert(value, source);
        }

        return o;
    }

    private static JsonValue? Scalar(YamlScalarNode s, string source)
    {
        var text = s.Value ?? "";
        switch (Scalars.Classify(s))
        {
            case ScalarType.Null:
                return null;
            case ScalarType.Bool:
                return JsonValue.Create(text is "true" or "True" or "TRUE" or "y" or "Y" or "yes" or "Yes" or "YES" or "on" or "On" or "ON");
            case ScalarType.Integer when Scalars.TryGetInteger(s, out var integer):
                return JsonValue.Create(integer);
            case ScalarType.Integer or ScalarType.Float when double.TryParse(text.Replace("_", "", StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number):
                return JsonValue.Create(number);
            case ScalarType.Integer or ScalarType.Float:
                throw new ManifestFormatException($"{source}:{s.Start.Line}:{s.Start.Column}: the number {Excerpt.Of(text)} cannot be written as JSON");
            default:
                return JsonValue.Create(text);
        }
    }
}
