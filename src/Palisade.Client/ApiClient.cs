using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using k8s;
using k8s.Exceptions;

namespace Palisade.Client;

/// <summary>
/// Talks to a Kubernetes-style API server (Palisade's own or a Kubernetes cluster's) as a kubeconfig file describes it:
/// raw JSON gets, paged lists and watches. Errors come back as <see cref="ApiStatusException"/>s carrying the server's
/// Status.
/// </summary>
/// <remarks>
/// The kubeconfig is read by the KubernetesClient package, so every form kubectl accepts works (contexts, CA and
/// client certificates inline or in files, tokens, exec plugins). Bodies stay JSON text: Palisade's loader reads them
/// as it reads files, with the same limits and the same messages.
/// </remarks>
public sealed class ApiClient : IDisposable
{
    private readonly Kubernetes _kubernetes;

    private ApiClient(Kubernetes kubernetes, string describedBy)
    {
        _kubernetes = kubernetes;
        DescribedBy = describedBy;
    }

    /// <summary>The server's base address.</summary>
    public Uri Server => _kubernetes.BaseUri;

    /// <summary>The kubeconfig file this client was made from, for messages.</summary>
    public string DescribedBy { get; }

    /// <summary>Reads a kubeconfig (its current context, or <paramref name="context"/>).</summary>
    /// <exception cref="InvalidDataException">The file is missing or is not a usable kubeconfig (the message says why).</exception>
    public static ApiClient FromKubeconfig(string path, string? context = null)
    {
        if (!File.Exists(path))
        {
            throw new InvalidDataException($"{path}: no such kubeconfig file");
        }

        try
        {
            var configuration = KubernetesClientConfiguration.BuildConfigFromConfigFile(path, currentContext: context);
            configuration.HttpClientTimeout = Timeout.InfiniteTimeSpan; // watches run long; each call bounds itself
            return new ApiClient(new Kubernetes(configuration), path);
        }
        catch (Exception e) when (e is KubeConfigException or YamlDotNet.Core.YamlException or ArgumentException or FormatException or IOException)
        {
            throw new InvalidDataException($"{path}: not a usable kubeconfig: {e.Message}", e);
        }
    }

    /// <summary>GETs a path (with its query) and returns the body.</summary>
    public async Task<string> GetAsync(string pathAndQuery, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, pathAndQuery, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        return await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends a body (JSON unless <paramref name="contentType"/> says otherwise) and returns the server's answer.</summary>
    public async Task<string> SendAsync(HttpMethod method, string pathAndQuery, string body, CancellationToken cancellationToken, string contentType = "application/json")
    {
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        using var response = await SendAsync(method, pathAndQuery, HttpCompletionOption.ResponseContentRead, cancellationToken, content).ConfigureAwait(false);
        return await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Every page of a list (<paramref name="listPath"/> such as <c>/api/v1/pods</c>), following <c>continue</c>, all
    /// read at the first page's revision as the server guarantees.
    /// </summary>
    public async IAsyncEnumerable<ApiListPage> ListAsync(string listPath, int pageSize, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? continueToken = null;
        do
        {
            var query = $"{listPath}?limit={pageSize}" + (continueToken is null ? "" : "&continue=" + Uri.EscapeDataString(continueToken));
            var json = await GetAsync(query, cancellationToken).ConfigureAwait(false);
            string resourceVersion;
            using (var document = Parse(json, query))
            {
                var metadata = document.RootElement.TryGetProperty("metadata", out var m) ? m : default;
                resourceVersion = metadata.ValueKind == JsonValueKind.Object && metadata.TryGetProperty("resourceVersion", out var rv) ? rv.GetString() ?? "" : "";
                continueToken = metadata.ValueKind == JsonValueKind.Object && metadata.TryGetProperty("continue", out var c) && c.GetString() is { Length: > 0 } next ? next : null;
            }

            yield return new ApiListPage(new Uri(Server, query).ToString(), json, resourceVersion);
        }
        while (continueToken is not null);
    }

    /// <summary>
    /// Watches a list path from a resourceVersion: each event as the server sends it, bookmarks included, until the
    /// server ends the stream or <paramref name="cancellationToken"/> fires. A watch the server refuses (410 for a
    /// compacted revision) throws <see cref="ApiStatusException"/>, whether the refusal is the response or an ERROR event.
    /// </summary>
    public async IAsyncEnumerable<ApiWatchEvent> WatchAsync(string listPath, string resourceVersion, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var query = $"{listPath}?watch=true&allowWatchBookmarks=true&resourceVersion={Uri.EscapeDataString(resourceVersion)}";
        using var response = await SendAsync(HttpMethod.Get, query, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }

            ApiWatchEvent watchEvent;
            using (var document = Parse(line, query))
            {
                var type = document.RootElement.GetProperty("type").GetString() ?? "";
                var item = document.RootElement.GetProperty("object");
                if (type == "ERROR")
                {
                    throw StatusFrom(item, 500, line);
                }

                watchEvent = new ApiWatchEvent(type, item.GetRawText());
            }

            yield return watchEvent;
        }
    }

    public void Dispose() => _kubernetes.Dispose();

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string pathAndQuery, HttpCompletionOption completion, CancellationToken cancellationToken, HttpContent? content = null)
    {
        var uri = new Uri(Server, pathAndQuery);
        using var request = new HttpRequestMessage(method, uri) { Content = content };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        HttpResponseMessage response;
        try
        {
            if (_kubernetes.Credentials is { } credentials)
            {
                await credentials.ProcessHttpRequestAsync(request, cancellationToken).ConfigureAwait(false);
            }

            response = await _kubernetes.HttpClient.SendAsync(request, completion, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new ApiStatusException(0, "Unreachable", $"{uri}: the server is not reachable ({e.Message}); is it running, and is {DescribedBy} its kubeconfig?", e);
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                using var document = JsonDocument.Parse(body);
                throw StatusFrom(document.RootElement, (int)response.StatusCode, body);
            }
            catch (JsonException)
            {
                throw new ApiStatusException((int)response.StatusCode, response.StatusCode.ToString(), $"{uri}: {(int)response.StatusCode} {Cut(body)}");
            }
        }
    }

    private static ApiStatusException StatusFrom(JsonElement status, int fallbackCode, string raw)
    {
        var code = status.TryGetProperty("code", out var c) && c.TryGetInt32(out var n) ? n : fallbackCode;
        var reason = status.TryGetProperty("reason", out var r) ? r.GetString() ?? "" : ((HttpStatusCode)code).ToString();
        var message = status.TryGetProperty("message", out var m) ? m.GetString() ?? Cut(raw) : Cut(raw);
        return new ApiStatusException(code, reason, message);
    }

    private static JsonDocument Parse(string json, string query)
    {
        try
        {
            return JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new ApiStatusException(500, "InternalError", $"{query}: the server's answer is not JSON ({e.Message}): {Cut(json)}", e);
        }
    }

    private static string Cut(string text) => text.Length <= 300 ? text : text[..300] + "...";
}
