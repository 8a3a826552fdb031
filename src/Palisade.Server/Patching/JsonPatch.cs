using System.Globalization;
using System.Text.Json.Nodes;
using Palisade.Server.Api;

namespace Palisade.Server.Patching;

/// <summary>Applies a JSON patch (RFC 6902: add, remove, replace, move, copy, test), all operations or none.</summary>
internal static class JsonPatch
{
    public static JsonObject Apply(JsonObject target, JsonNode patch)
    {
        if (patch is not JsonArray operations)
        {
            throw ApiException.BadRequest("a JSON patch must be an array of operations");
        }

        JsonNode document = target.DeepClone();
        for (var i = 0; i < operations.Count; i++)
        {
            if (operations[i] is not JsonObject op || op["op"]?.ToString() is not { } name || op["path"]?.ToString() is not { } path)
            {
                throw ApiException.BadRequest($"JSON patch operation {i}: expected an object with op and path");
            }

            switch (name)
            {
                case "add":
                    Add(document, path, op["value"]?.DeepClone(), i);
                    break;
                case "remove":
                    Remove(document, path, i);
                    break;
                case "replace":
                    Remove(document, path, i);
                    Add(document, path, op["value"]?.DeepClone(), i);
                    break;
                case "move":
                {
                    var from = op["from"]?.ToString() ?? throw ApiException.BadRequest($"JSON patch operation {i}: move needs from");
                    var value = Get(document, from, i)?.DeepClone();
                    Remove(document, from, i);
                    Add(document, path, value, i);
                    break;
                }

                case "copy":
                {
                    var from = op["from"]?.ToString() ?? throw ApiException.BadRequest($"JSON patch operation {i}: copy needs from");
                    Add(document, path, Get(document, from, i)?.DeepClone(), i);
                    break;
                }

                case "test":
                    if (!JsonNode.DeepEquals(Get(document, path, i), op["value"]))
                    {
                        throw new ApiException(422, "Invalid", $"JSON patch operation {i}: test failed at {path}");
                    }

                    break;
                default:
                    throw ApiException.BadRequest($"JSON patch operation {i}: unknown op \"{name}\"");
            }
        }

        return document as JsonObject ?? throw ApiException.BadRequest("the JSON patch did not leave an object");
    }

    private static string[] Tokens(string path, int i) =>
        path.Length == 0 ? [] :
        path.StartsWith('/') ? [.. path[1..].Split('/').Select(t => t.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal))] :
        throw ApiException.BadRequest($"JSON patch operation {i}: path \"{path}\" must start with '/'");

    private static JsonNode? Get(JsonNode document, string path, int i)
    {
        var node = document;
        foreach (var token in Tokens(path, i))
        {
            node = node switch
            {
                JsonObject o when o.ContainsKey(token) => o[token],
                JsonArray a when int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n < a.Count => a[n],
                _ => throw new ApiException(422, "Invalid", $"JSON patch operation {i}: path \"{path}\" does not exist"),
            } ?? throw new ApiException(422, "Invalid", $"JSON patch operation {i}: path \"{path}\" does not exist");
        }

        return node;
    }

    private static (JsonNode Parent, string Last) Parent(JsonNode document, string path, int i)
    {
        var tokens = Tokens(path, i);
        if (tokens.Length == 0)
        {
            throw ApiException.BadRequest($"JSON patch operation {i}: the whole object cannot be replaced");
        }

        var parentPath = string.Concat(tokens[..^1].Select(t => "/" + t.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal)));
        return (Get(document, parentPath, i)!, tokens[^1]);
    }

    private static void Add(JsonNode document, string path, JsonNode? value, int i)
    {
        var (parent, last) = Parent(document, path, i);
        switch (parent)
        {
            case JsonObject o:
                o[last] = value;
                break;
            case JsonArray a when last == "-":
                a.Add(value);
                break;
            case JsonArray a when int.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n <= a.Count:
                a.Insert(n, value);
                break;
            default:
                throw new ApiException(422, "Invalid", $"JSON patch operation {i}: cannot add at \"{path}\"");
        }
    }

    private static void Remove(JsonNode document, string path, int i)
    {
        var (parent, last) = Parent(document, path, i);
        switch (parent)
        {
            case JsonObject o when o.ContainsKey(last):
                o.Remove(last);
                break;
            case JsonArray a when int.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n < a.Count:
                a.RemoveAt(n);
                break;
            default:
                throw new ApiException(422, "Invalid", $"JSON patch operation {i}: path \"{path}\" does not exist");
        }
    }
}
