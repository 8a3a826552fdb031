using System.Text.Json.Nodes;

namespace Palisade.Client;

/// <summary>
/// Creates or replaces objects on a server, each at the path discovery gives its kind: namespaces first, so that the
/// objects in them are accepted. What <c>lab run --via-server</c> and the tests use to fill a server from manifests.
/// </summary>
public sealed class ObjectApplier
{
    private readonly ApiClient _client;
    private readonly Dictionary<(string GroupVersion, string Kind), ApiResource> _resources;

    private ObjectApplier(ApiClient client, IEnumerable<ApiResource> resources)
    {
        _client = client;
        _resources = [];
        foreach (var r in resources)
        {
            _resources.TryAdd((r.GroupVersion, r.Kind), r);
        }
    }

    /// <summary>Reads the server's discovery once, to know where each kind lives.</summary>
    public static async Task<ObjectApplier> CreateAsync(ApiClient client, CancellationToken cancellationToken) =>
        new(client, await ApiDiscovery.ReadAsync(client, cancellationToken).ConfigureAwait(false));

    /// <summary>Whether the server serves this kind.</summary>
    public bool Serves(string apiVersion, string kind) => _resources.ContainsKey((apiVersion, kind));

    /// <summary>
    /// Creates each object, or replaces it when it exists (at its current resourceVersion); namespaces go first.
    /// Returns the server's revision after the last write.
    /// </summary>
    /// <exception cref="ApiStatusException">The server refused an object (the message names it).</exception>
    public async Task<string> ApplyAsync(IEnumerable<JsonObject> objects, CancellationToken cancellationToken)
    {
        var last = "";
        foreach (var o in objects.OrderBy(o => o["kind"]?.GetValue<string>() == "Namespace" ? 0 : 1))
        {
            last = await ApplyOneAsync(o, cancellationToken).ConfigureAwait(false);
        }

        return last;
    }

    private async Task<string> ApplyOneAsync(JsonObject o, CancellationToken cancellationToken)
    {
        var apiVersion = o["apiVersion"]?.GetValue<string>() ?? "";
        var kind = o["kind"]?.GetValue<string>() ?? "";
        var name = o["metadata"]?["name"]?.GetValue<string>() ?? "";
        if (!_resources.TryGetValue((apiVersion, kind), out var resource))
        {
            throw new ApiStatusException(404, "NotFound", $"{kind} {name}: the server does not serve {apiVersion} {kind}");
        }

        var ns = resource.Namespaced ? o["metadata"]?["namespace"]?.GetValue<string>() ?? "default" : null;
        var collection = resource.CollectionPath(ns);
        try
        {
            return Version(await _client.SendAsync(HttpMethod.Post, collection, o.ToJsonString(), cancellationToken).ConfigureAwait(false));
        }
        catch (ApiStatusException e) when (e.Code == 409 && e.Reason == "AlreadyExists")
        {
            var path = $"{collection}/{Uri.EscapeDataString(name)}";
            var current = JsonNode.Parse(await _client.GetAsync(path, cancellationToken).ConfigureAwait(false))!;
            var replacement = o.DeepClone().AsObject();
            if (replacement["metadata"] is JsonObject metadata)
            {
                metadata["resourceVersion"] = current["metadata"]?["resourceVersion"]?.DeepClone();
            }

            return Version(await _client.SendAsync(HttpMethod.Put, path, replacement.ToJsonString(), cancellationToken).ConfigureAwait(false));
        }
    }

    private static string Version(string answer) => JsonNode.Parse(answer)?["metadata"]?["resourceVersion"]?.GetValue<string>() ?? "";
}
