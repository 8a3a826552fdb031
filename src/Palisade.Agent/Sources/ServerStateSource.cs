using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Palisade.Client;
using Palisade.Manifests;

namespace Palisade.Agent.Sources;

/// <summary>
/// Desired state from an API server (Palisade's, or a Kubernetes cluster's): every kind Palisade reads is listed, then
/// watched from the list's resourceVersion; each burst of changes yields one whole state. A lost connection keeps the
/// last state in force and resumes the watch from the last revision seen; a revision the server has compacted away
/// (410) is answered by listing that kind again, as Kubernetes' informers do. The source owns its client.
/// </summary>
/// <remarks>
/// The state's revision is the highest resourceVersion seen (the server's store revision), so "which revision does
/// node N enforce" compares with the server's own revision. Objects are kept as JSON text and loaded by the same
/// loader as files, so a state from the server and one from the same objects in files are the same state.
/// </remarks>
public sealed partial class ServerStateSource(ApiClient client, ILogger<ServerStateSource> logger, TimeProvider time) : IDesiredStateSource, IDisposable
{
    /// <summary>How long a burst of events is gathered into one state.</summary>
    public static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(2);

    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxRetry = TimeSpan.FromSeconds(5);

    private readonly Lock gate = new();
    private readonly Dictionary<ApiResource, SortedDictionary<string, string>> objects = [];
    private readonly HashSet<ApiResource> listed = [];
    private long revision;
    private long emitted;

    public async IAsyncEnumerable<DesiredState> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var loader = new ManifestLoader();
        var resources = await DiscoverAsync(loader, cancellationToken).ConfigureAwait(false);
        var changes = Channel.CreateUnbounded<DateTimeOffset>(new UnboundedChannelOptions { SingleReader = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var followers = resources.Select(r => FollowAsync(r, changes.Writer, stop.Token)).ToList();
        try
        {
            while (true)
            {
                var first = await changes.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                await Task.Delay(Settle, time, cancellationToken).ConfigureAwait(false);
                while (changes.Reader.TryRead(out _))
                {
                }

                if (Snapshot(resources, loader, first) is { } state)
                {
                    yield return state;
                }
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            foreach (var f in followers)
            {
                try
                {
                    await f.ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }
            }
        }
    }

    /// <summary>The resources to follow; retried until the server answers, since an agent may start before it.</summary>
    private async Task<IReadOnlyList<ApiResource>> DiscoverAsync(ManifestLoader loader, CancellationToken cancellationToken)
    {
        var delay = FirstRetry;
        while (true)
        {
            try
            {
                return ApiDiscovery.Select(await ApiDiscovery.ReadAsync(client, cancellationToken).ConfigureAwait(false), loader.Reads);
            }
            catch (Exception e) when (e is ApiStatusException or JsonException or KeyNotFoundException or InvalidOperationException && !cancellationToken.IsCancellationRequested)
            {
                LogUnreachable(client.Server.ToString(), e.Message, delay.TotalMilliseconds);
                await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
                delay = Next(delay);
            }
        }
    }

    /// <summary>Lists a resource, then watches it, for as long as the agent runs.</summary>
    private async Task FollowAsync(ApiResource resource, ChannelWriter<DateTimeOffset> changes, CancellationToken cancellationToken)
    {
        string? resourceVersion = null;
        var delay = FirstRetry;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (resourceVersion is null)
                {
                    resourceVersion = await ListAsync(resource, cancellationToken).ConfigureAwait(false);
                    changes.TryWrite(time.GetUtcNow());
                }

                var events = 0;
                await foreach (var e in client.WatchAsync(resource.ListPath, resourceVersion, cancellationToken).ConfigureAwait(false))
                {
                    events++;
                    resourceVersion = Apply(resource, e) ?? resourceVersion;
                    if (e.Type != "BOOKMARK")
                    {
                        changes.TryWrite(time.GetUtcNow());
                    }

                    delay = FirstRetry;
                }

                if (events == 0)
                {
                    // The server ended an empty watch (its timeout): watch again, without spinning on a server that ends them at once.
                    await Task.Delay(FirstRetry, time, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (ApiStatusException e) when (e.Code == 410)
            {
                LogRelist(resource.ListPath, resourceVersion ?? "", e.Message);
                resourceVersion = null;
            }
            catch (Exception e) when (e is ApiStatusException or IOException or JsonException or HttpRequestException or InvalidOperationException && !cancellationToken.IsCancellationRequested)
            {
                // The rules in force stay: no state is emitted until the watch is back.
                LogWatchLost(resource.ListPath, e.Message, delay.TotalMilliseconds);
                await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
                delay = Next(delay);
            }
        }
    }

    private async Task<string> ListAsync(ApiResource resource, CancellationToken cancellationToken)
    {
        var items = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var resourceVersion = "";
        await foreach (var page in client.ListAsync(resource.ListPath, ClusterSnapshot.PageSize, cancellationToken).ConfigureAwait(false))
        {
            resourceVersion = page.ResourceVersion;
            var list = JsonNode.Parse(page.Json)!.AsObject();
            foreach (var item in list["items"]?.AsArray() ?? [])
            {
                if (item is JsonObject o)
                {
                    items[KeyOf(o)] = WithKind(resource, o);
                }
            }
        }

        lock (gate)
        {
            objects[resource] = items;
            listed.Add(resource);
            Advance(resourceVersion);
        }

        return resourceVersion;
    }

    /// <summary>Applies one watch event to the resource's objects; returns the resourceVersion it carries.</summary>
    private string? Apply(ApiResource resource, ApiWatchEvent e)
    {
        var o = JsonNode.Parse(e.ObjectJson)!.AsObject();
        var resourceVersion = o["metadata"]?["resourceVersion"]?.GetValue<string>();
        lock (gate)
        {
            var items = objects[resource];
            switch (e.Type)
            {
                case "ADDED" or "MODIFIED":
                    items[KeyOf(o)] = WithKind(resource, o);
                    break;
                case "DELETED":
                    items.Remove(KeyOf(o));
                    break;
            }

            Advance(resourceVersion);
        }

        return resourceVersion;
    }

    /// <summary>The whole state once every resource has been listed; null (logged) while the objects have errors.</summary>
    private DesiredState? Snapshot(IReadOnlyList<ApiResource> resources, ManifestLoader loader, DateTimeOffset changedAt)
    {
        List<(string, string)> texts;
        long at;
        lock (gate)
        {
            if (listed.Count < resources.Count)
            {
                return null;
            }

            texts = [.. resources.Select(r => (new Uri(client.Server, r.ListPath).ToString(), "{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[" + string.Join(',', objects[r].Values) + "]}"))];
            at = Math.Max(revision, emitted + 1);
        }

        var loaded = loader.LoadTexts(texts);
        if (!loaded.Succeeded)
        {
            foreach (var d in loaded.Errors.Take(20))
            {
                LogDiagnostic(d.ToString());
            }

            LogKept();
            return null;
        }

        var first = emitted == 0;
        emitted = at;
        return new DesiredState(at, loaded.Cluster, loaded.Policies, first ? null : changedAt);
    }

    /// <summary>Closes the client, which this source owns.</summary>
    public void Dispose() => client.Dispose();

    private void Advance(string? resourceVersion)
    {
        if (long.TryParse(resourceVersion, NumberStyles.None, CultureInfo.InvariantCulture, out var r) && r > revision)
        {
            revision = r;
        }
    }

    private static string KeyOf(JsonObject o) =>
        (o["metadata"]?["namespace"]?.GetValue<string>() ?? "") + "/" + (o["metadata"]?["name"]?.GetValue<string>() ?? "");

    /// <summary>A list's items carry no kind (the list's kind names them): put it back, as client-go does.</summary>
    private static string WithKind(ApiResource resource, JsonObject o)
    {
        o["apiVersion"] = resource.GroupVersion;
        o["kind"] = resource.Kind;
        return o.ToJsonString();
    }

    private static TimeSpan Next(TimeSpan delay) => delay * 2 > MaxRetry ? MaxRetry : delay * 2;

    [LoggerMessage(Level = LogLevel.Warning, Message = "the server {Server} does not answer ({Reason}); trying again in {DelayMs} ms")]
    private partial void LogUnreachable(string server, string reason, double delayMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "the watch of {Path} was lost ({Reason}); the rules in force stay, resuming in {DelayMs} ms")]
    private partial void LogWatchLost(string path, string reason, double delayMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "the server no longer holds revision {ResourceVersion} of {Path} ({Reason}); listing again")]
    private partial void LogRelist(string path, string resourceVersion, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Diagnostic}")]
    private partial void LogDiagnostic(string diagnostic);

    [LoggerMessage(Level = LogLevel.Error, Message = "the server's objects have errors; the rules in force are kept")]
    private partial void LogKept();
}
