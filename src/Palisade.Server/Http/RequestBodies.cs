using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Palisade.Manifests;
using Palisade.Server.Api;

namespace Palisade.Server.Http;

/// <summary>
/// Reads request bodies within the server's bounds: the body size limit (Kestrel refuses more with 413) and the
/// loader's nesting bound, so a request costs a bounded multiple of its size.
/// </summary>
internal sealed class RequestBodies(ManifestLimits limits)
{
    public async Task<JsonNode> ReadJsonAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentType is { } type && type.Contains("protobuf", StringComparison.OrdinalIgnoreCase))
        {
            // client-go sends built-in kinds as protobuf when it may, and falls back to JSON on 415.
            throw new ApiException(415, "UnsupportedMediaType", $"the body of the request was in an unknown format ({type}) - accepted media types include: application/json, application/merge-patch+json, application/strategic-merge-patch+json, application/json-patch+json");
        }

        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (buffer.Length == 0)
        {
            throw ApiException.BadRequest("the request has no body: expected a JSON object");
        }

        try
        {
            return JsonNode.Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length).Span, documentOptions: new JsonDocumentOptions { MaxDepth = limits.MaxDepth })
                ?? throw ApiException.BadRequest("the request body is null: expected a JSON object");
        }
        catch (JsonException e)
        {
            throw ApiException.BadRequest($"the request body is not valid JSON: {e.Message}");
        }
    }

    /// <summary>A server-side apply body: one object in YAML or JSON, read with the loader's limits on nesting and aliases.</summary>
    public async Task<JsonObject> ReadAppliedAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(request.Body);
        var text = await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        IReadOnlyList<ManifestObject> objects;
        try
        {
            objects = ManifestJson.Read(new StringReader(text), "request", limits);
        }
        catch (ManifestFormatException e)
        {
            throw ApiException.BadRequest($"the apply configuration is not valid: {e.Message}");
        }

        return objects.Count == 1 ? objects[0].Object : throw ApiException.BadRequest($"an apply configuration must be one object, got {objects.Count}");
    }

    public async Task<JsonObject> ReadObjectAsync(HttpRequest request, CancellationToken cancellationToken) =>
        await ReadJsonAsync(request, cancellationToken).ConfigureAwait(false) as JsonObject
        ?? throw ApiException.BadRequest("the request body is not an object: expected a JSON object with apiVersion, kind and metadata");
}
