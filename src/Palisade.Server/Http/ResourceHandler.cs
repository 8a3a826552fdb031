using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Palisade.Server.Api;
using Palisade.Server.Patching;
using Palisade.Server.Registry;
using Palisade.Server.Security;

namespace Palisade.Server.Http;

/// <summary>The one HTTP surface of every kind: maps a resource request to the registry and writes the answer.</summary>
internal sealed class ResourceHandler(ResourceCatalog catalog, ResourceRegistry registry, TableConverter tables, RequestBodies bodies, WatchStream watches)
{
    private const string MergePatch = "application/merge-patch+json";
    private const string StrategicPatch = "application/strategic-merge-patch+json";
    private const string JsonPatchType = "application/json-patch+json";
    private const string ApplyPatch = "application/apply-patch+yaml";

    public async Task HandleAsync(HttpContext context, ApiRequestAttributes request, CancellationToken cancellationToken)
    {
        var kind = catalog.Find(request.ApiGroup, request.ApiVersion, request.Resource)
            ?? throw new ApiException(404, "NotFound", "the server could not find the requested resource");
        if (request.Subresource is not null || (!kind.Namespaced && request.Namespace is not null))
        {
            throw new ApiException(404, "NotFound", "the server could not find the requested resource");
        }

        var http = context.Request;
        var response = context.Response;
        var dryRun = DryRun(http.Query);
        var manager = Manager(http);
        CheckFieldValidation(http.Query);
        switch (request.Verb)
        {
            case "get":
            {
                var obj = await registry.GetAsync(kind, request.Namespace, request.Name!, cancellationToken).ConfigureAwait(false);
                var body = JsonResponses.WantsTable(http) ? tables.Table(kind, [obj], null, null) : obj;
                await JsonResponses.WriteAsync(response, 200, body, cancellationToken).ConfigureAwait(false);
                return;
            }

            case "list":
            {
                var query = ListQuery.From(http.Query);
                var (items, revision, next) = await registry.ListAsync(kind, request.Namespace, query, cancellationToken).ConfigureAwait(false);
                var rv = revision.ToString(CultureInfo.InvariantCulture);
                JsonNode body = JsonResponses.WantsTable(http) ? tables.Table(kind, items, rv, next) : List(kind, items, rv, next);
                await JsonResponses.WriteAsync(response, 200, body, cancellationToken).ConfigureAwait(false);
                return;
            }

            case "watch":
                await watches.RunAsync(context, kind, request.Namespace, ListQuery.From(http.Query), cancellationToken).ConfigureAwait(false);
                return;

            case "create":
            {
                var body = await bodies.ReadObjectAsync(http, cancellationToken).ConfigureAwait(false);
                var (created, warnings) = await registry.CreateAsync(kind, request.Namespace, body, manager, dryRun, cancellationToken).ConfigureAwait(false);
                JsonResponses.AddWarnings(response, warnings);
                await JsonResponses.WriteAsync(response, 201, created, cancellationToken).ConfigureAwait(false);
                return;
            }

            case "update":
            {
                var body = await bodies.ReadObjectAsync(http, cancellationToken).ConfigureAwait(false);
                var (updated, warnings) = await registry.UpdateAsync(kind, request.Namespace, request.Name!, body, manager, dryRun, cancellationToken).ConfigureAwait(false);
                JsonResponses.AddWarnings(response, warnings);
                await JsonResponses.WriteAsync(response, 200, updated, cancellationToken).ConfigureAwait(false);
                return;
            }

            case "patch" when http.ContentType?.Split(';')[0].Trim().Equals(ApplyPatch, StringComparison.OrdinalIgnoreCase) == true:
            {
                if (http.Query["fieldManager"].ToString().Length == 0)
                {
                    throw ApiException.BadRequest("PATCH requests with apply content type must have fieldManager set");
                }

                var applied = await bodies.ReadAppliedAsync(http, cancellationToken).ConfigureAwait(false);
                var force = http.Query["force"] == "true";
                var (result, warnings) = await registry.ApplyAsync(kind, request.Namespace, request.Name!, applied, manager, force, dryRun, cancellationToken).ConfigureAwait(false);
                JsonResponses.AddWarnings(response, warnings);
                await JsonResponses.WriteAsync(response, 200, result, cancellationToken).ConfigureAwait(false);
                return;
            }

            case "patch":
            {
                var apply = PatchFunction(kind, http.ContentType);
                var patch = await bodies.ReadJsonAsync(http, cancellationToken).ConfigureAwait(false);
                var (patched, warnings) = await registry.PatchAsync(kind, request.Namespace, request.Name!, current => apply(current, patch), manager, dryRun, cancellationToken).ConfigureAwait(false);
                JsonResponses.AddWarnings(response, warnings);
                await JsonResponses.WriteAsync(response, 200, patched, cancellationToken).ConfigureAwait(false);
                return;
            }

            case "delete":
            {
                long? precondition = null;
                if (http.ContentLength > 0 && await bodies.ReadObjectAsync(http, cancellationToken).ConfigureAwait(false) is { } options)
                {
                    precondition = options["preconditions"] is JsonObject p ? ObjectMeta.ResourceVersion(new JsonObject { ["metadata"] = p.DeepClone() }) : null;
                    dryRun |= options["dryRun"] is JsonArray d && d.Any(v => v?.ToString() == "All");
                }

                var deleted = await registry.DeleteAsync(kind, request.Namespace, request.Name!, precondition, dryRun, cancellationToken).ConfigureAwait(false);
                await JsonResponses.WriteAsync(response, 200, deleted, cancellationToken).ConfigureAwait(false);
                return;
            }

            default:
                throw new ApiException(405, "MethodNotAllowed", $"{request.Verb} is not supported on {kind.QualifiedResource}");
        }
    }

    private static JsonObject List(ResourceKind kind, List<JsonObject> items, string revision, string? next)
    {
        var metadata = new JsonObject { ["resourceVersion"] = revision };
        if (next is not null)
        {
            metadata["continue"] = next;
        }

        return new JsonObject
        {
            ["kind"] = kind.ListKind,
            ["apiVersion"] = kind.GroupVersion,
            ["metadata"] = metadata,
            ["items"] = new JsonArray([.. items]),
        };
    }

    private static Func<JsonObject, JsonNode, JsonObject> PatchFunction(ResourceKind kind, string? contentType)
    {
        var media = contentType?.Split(';')[0].Trim().ToLowerInvariant();
        return media switch
        {
            MergePatch => (current, patch) => JsonMergePatch.Apply(current, patch) as JsonObject ?? throw ApiException.BadRequest("a merge patch must be a JSON object"),
            StrategicPatch when kind.StrategicMerge => (current, patch) =>
                StrategicMergePatch.Apply(current, patch as JsonObject ?? throw ApiException.BadRequest("a strategic merge patch must be a JSON object")),
            JsonPatchType => (current, patch) => JsonPatch.Apply(current, patch),
            _ => throw new ApiException(415, "UnsupportedMediaType",
                $"the body of the request was in an unknown format ({media}) - accepted media types include: {JsonPatchType}, {MergePatch}, {ApplyPatch}" + (kind.StrategicMerge ? $", {StrategicPatch}" : string.Empty)),
        };
    }

    /// <summary>Who makes a change, for field ownership: the fieldManager the client names, else its user agent's program.</summary>
    private static string Manager(HttpRequest request)
    {
        var named = request.Query["fieldManager"].ToString();
        if (named.Length > 0)
        {
            return named.Length <= 128 ? named : throw ApiException.BadRequest("fieldManager: must be at most 128 characters");
        }

        var agent = request.Headers.UserAgent.ToString();
        return agent.Length > 0 ? agent.Split('/')[0] : "unknown";
    }

    private static bool DryRun(IQueryCollection query)
    {
        var values = query["dryRun"];
        if (values.Count == 0)
        {
            return false;
        }

        return values.All(v => v == "All") ? true : throw ApiException.BadRequest($"dryRun: unsupported value \"{values}\": the only dry-run mode is All");
    }

    private static void CheckFieldValidation(IQueryCollection query)
    {
        var value = query["fieldValidation"].ToString();
        if (value.Length > 0 && value is not ("Strict" or "Warn" or "Ignore"))
        {
            throw ApiException.BadRequest($"fieldValidation: invalid value \"{value}\": expected Strict, Warn or Ignore");
        }
    }
}
