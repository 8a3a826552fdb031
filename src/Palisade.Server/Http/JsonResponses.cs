using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Palisade.Server.Http;

/// <summary>Writes JSON answers (objects, lists, Status) with the content type Kubernetes clients expect.</summary>
internal static class JsonResponses
{
    public static async Task WriteAsync(HttpResponse response, int code, JsonNode body, CancellationToken cancellationToken)
    {
        response.StatusCode = code;
        response.ContentType = "application/json";
        await response.Body.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(body), cancellationToken).ConfigureAwait(false);
    }

    public static async Task WriteRawAsync(HttpResponse response, string json, CancellationToken cancellationToken)
    {
        response.StatusCode = 200;
        response.ContentType = "application/json";
        await response.WriteAsync(json, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Warnings go to the client in <c>Warning</c> headers, which kubectl prints.</summary>
    public static void AddWarnings(HttpResponse response, IEnumerable<string> warnings)
    {
        foreach (var warning in warnings)
        {
            response.Headers.Append("Warning", $"299 - \"{warning.Replace("\"", "'", StringComparison.Ordinal).Replace('\n', ' ')}\"");
        }
    }

    /// <summary>Whether the client asked for the <c>meta.k8s.io</c> Table form (kubectl get's default).</summary>
    public static bool WantsTable(HttpRequest request) =>
        request.Headers.Accept.ToString().Split(',').FirstOrDefault() is { } first &&
        first.Contains("as=Table", StringComparison.Ordinal) && first.Contains("g=meta.k8s.io", StringComparison.Ordinal);
}
