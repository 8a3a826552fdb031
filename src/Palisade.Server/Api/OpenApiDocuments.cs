using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Palisade.Server.Api;

/// <summary>
/// OpenAPI v3 as kube-apiserver publishes it: an index of group-versions at <c>/openapi/v3</c> and one document per
/// group-version. kubectl reads a PATCH operation's parameters (to send fieldValidation) and schemas keyed by
/// <c>x-kubernetes-group-version-kind</c>; the bodies are loose (preserve-unknown-fields): the server validates them.
/// </summary>
internal sealed class OpenApiDocuments
{
    private const string ObjectMetaSchema = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";
    private readonly Dictionary<string, string> documents = new(StringComparer.Ordinal);
    private readonly string index;

    public OpenApiDocuments(ResourceCatalog catalog)
    {
        var paths = new JsonObject();
        foreach (var gv in catalog.Kinds.GroupBy(k => k.GroupVersion, StringComparer.Ordinal))
        {
            var kinds = gv.ToList();
            var path = kinds[0].Group.Length == 0 ? "api/v1" : $"apis/{gv.Key}";
            var text = Document(kinds).ToJsonString();
            documents[path] = text;
            var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
            paths[path] = new JsonObject { ["serverRelativeURL"] = $"/openapi/v3/{path}?hash={hash}" };
        }

        index = new JsonObject { ["paths"] = paths }.ToJsonString();
    }

    public string Index => index;

    /// <summary>The document of a group-version path (<c>api/v1</c>, <c>apis/apps/v1</c>), or null.</summary>
    public string? Find(string path) => documents.GetValueOrDefault(path);

    private static JsonObject Document(List<ResourceKind> kinds)
    {
        var schemas = new JsonObject { [ObjectMetaSchema] = ObjectMeta() };
        var paths = new JsonObject();
        foreach (var kind in kinds)
        {
            var schemaName = SchemaName(kind);
            schemas[schemaName] = KindSchema(kind);
            var root = kind.Group.Length == 0 ? "/api/v1" : $"/apis/{kind.GroupVersion}";
            var collection = kind.Namespaced ? $"{root}/namespaces/{{namespace}}/{kind.Plural}" : $"{root}/{kind.Plural}";
            paths[collection] = new JsonObject
            {
                ["get"] = Operation(kind, "list", schemaName),
                ["post"] = Operation(kind, "post", schemaName),
            };
            paths[collection + "/{name}"] = new JsonObject
            {
                ["get"] = Operation(kind, "get", schemaName),
                ["put"] = Operation(kind, "put", schemaName),
                ["patch"] = Operation(kind, "patch", schemaName),
                ["delete"] = Operation(kind, "delete", schemaName),
            };
        }

        return new JsonObject
        {
            ["openapi"] = "3.0.0",
            ["info"] = new JsonObject { ["title"] = "Palisade", ["version"] = Discovery.KubernetesVersion },
            ["paths"] = paths,
            ["components"] = new JsonObject { ["schemas"] = schemas },
        };
    }

    private static JsonObject Operation(ResourceKind kind, string action, string schemaName)
    {
        var parameters = new JsonArray();
        var names = action switch
        {
            "patch" => new[] { "dryRun", "fieldManager", "fieldValidation", "force" },
            "post" or "put" => ["dryRun", "fieldManager", "fieldValidation"],
            "delete" => ["dryRun"],
            "list" => ["labelSelector", "fieldSelector", "limit", "continue", "resourceVersion", "watch", "allowWatchBookmarks", "timeoutSeconds"],
            _ => [],
        };
        foreach (var name in names)
        {
            parameters.Add(new JsonObject { ["name"] = name, ["in"] = "query", ["schema"] = new JsonObject { ["type"] = "string" } });
        }

        var content = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = Ref(schemaName) } };
        var operation = new JsonObject
        {
            ["operationId"] = $"{action}{kind.Kind}",
            ["parameters"] = parameters,
            ["responses"] = new JsonObject { ["200"] = new JsonObject { ["description"] = "OK", ["content"] = content } },
            ["x-kubernetes-action"] = action,
            ["x-kubernetes-group-version-kind"] = Gvk(kind),
        };
        if (action == "patch")
        {
            // kubectl sends a strategic merge patch only where the operation says it takes one.
            var types = new JsonObject();
            foreach (var type in PatchTypes(kind))
            {
                types[type] = new JsonObject { ["schema"] = new JsonObject { ["type"] = "object" } };
            }

            operation["requestBody"] = new JsonObject { ["content"] = types, ["required"] = true };
        }

        return operation;
    }

    private static IEnumerable<string> PatchTypes(ResourceKind kind)
    {
        yield return "application/json-patch+json";
        yield return "application/merge-patch+json";
        if (kind.StrategicMerge)
        {
            yield return "application/strategic-merge-patch+json";
        }
    }

    private static JsonObject KindSchema(ResourceKind kind)
    {
        var schema = new JsonObject
        {
            ["type"] = "object",
            ["description"] = $"{kind.Kind} ({kind.GroupVersion}), as Palisade reads it; the server validates the body.",
            ["properties"] = new JsonObject
            {
                ["apiVersion"] = new JsonObject { ["type"] = "string", ["description"] = "The versioned schema of this object." },
                ["kind"] = new JsonObject { ["type"] = "string", ["description"] = "The kind of this object." },
                ["metadata"] = new JsonObject { ["allOf"] = new JsonArray(Ref(ObjectMetaSchema)), ["default"] = new JsonObject() },
                ["spec"] = Loose("The desired state."),
                ["status"] = Loose("The observed state."),
            },
        };

        // kubectl computes strategic merge patches for built-in kinds from a schema keyed by this extension when one
        // is published, and from its own compiled-in types otherwise; a loose schema would hide the lists' merge keys.
        if (!kind.StrategicMerge)
        {
            schema["x-kubernetes-group-version-kind"] = new JsonArray(Gvk(kind));
        }

        return schema;
    }

    private static JsonObject ObjectMeta() => new()
    {
        ["type"] = "object",
        ["description"] = "Standard object metadata.",
        ["properties"] = new JsonObject
        {
            ["name"] = new JsonObject { ["type"] = "string" },
            ["generateName"] = new JsonObject { ["type"] = "string" },
            ["namespace"] = new JsonObject { ["type"] = "string" },
            ["labels"] = new JsonObject { ["type"] = "object", ["additionalProperties"] = new JsonObject { ["type"] = "string", ["default"] = string.Empty } },
            ["annotations"] = new JsonObject { ["type"] = "object", ["additionalProperties"] = new JsonObject { ["type"] = "string", ["default"] = string.Empty } },
            ["resourceVersion"] = new JsonObject { ["type"] = "string" },
            ["uid"] = new JsonObject { ["type"] = "string" },
            ["generation"] = new JsonObject { ["type"] = "integer", ["format"] = "int64" },
            ["creationTimestamp"] = new JsonObject { ["type"] = "string", ["format"] = "date-time" },
            ["managedFields"] = new JsonObject { ["type"] = "array", ["items"] = Loose("A field manager's entry.") },
        },
    };

    private static JsonObject Loose(string description) =>
        new() { ["type"] = "object", ["description"] = description, ["x-kubernetes-preserve-unknown-fields"] = true };

    private static JsonObject Ref(string schema) => new() { ["$ref"] = $"#/components/schemas/{schema}" };

    private static JsonObject Gvk(ResourceKind kind) => new() { ["group"] = kind.Group, ["kind"] = kind.Kind, ["version"] = kind.Version };

    /// <summary>Built-in kinds under the names Kubernetes gives them; the others as their CRDs would be named.</summary>
    private static string SchemaName(ResourceKind kind)
    {
        var package = kind.Group switch
        {
            "" => "io.k8s.api.core",
            "apps" => "io.k8s.api.apps",
            "batch" => "io.k8s.api.batch",
            "networking.k8s.io" => "io.k8s.api.networking",
            _ => string.Join('.', kind.Group.Split('.').Reverse()),
        };
        return $"{package}.{kind.Version}.{kind.Kind}";
    }
}
