using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Palisade.Server.Api;
using Palisade.Server.Registry;
using Palisade.Store;

namespace Palisade.Server.Http;

/// <summary>
/// Answers <c>?watch=true</c>: a stream of WatchEvents (one JSON object a line), starting after the requested
/// resourceVersion (or with the current objects as ADDED events), with BOOKMARK events when asked for, and a 410
/// Status as an ERROR event when the revision is compacted.
/// </summary>
internal sealed class WatchStream(ResourceRegistry registry, TableConverter tables, TimeSpan bookmarkInterval, TimeSpan maxDuration)
{
    public async Task RunAsync(HttpContext context, ResourceKind kind, string? ns, ListQuery query, CancellationToken cancellationToken)
    {
        var response = context.Response;
        var table = JsonResponses.WantsTable(context.Request);
        var from = query.WatchFrom();
        var initial = new List<JsonObject>();
        if (from is null)
        {
            // No resourceVersion: the current objects first, then what changes after them.
            string? token = null;
            do
            {
                var page = await registry.ListAsync(kind, ns, query with { Limit = 500, Continue = token }, cancellationToken).ConfigureAwait(false);
                initial.AddRange(page.Items);
                from ??= page.Revision;
                token = page.Continue;
            }
            while (token is not null);
        }

        response.StatusCode = 200;
        response.ContentType = "application/json";
        await response.StartAsync(cancellationToken).ConfigureAwait(false);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(query.Timeout is { } t && t > TimeSpan.Zero && t < maxDuration ? t : maxDuration);
        var first = true;
        foreach (var obj in initial)
        {
            await WriteAsync(response, "ADDED", Render(kind, obj, table, ref first), timeout.Token).ConfigureAwait(false);
        }

        var last = from!.Value;
        await using var changes = registry.WatchAsync(kind, ns, last, timeout.Token).GetAsyncEnumerator(timeout.Token);
        Task<bool>? next = null;
        try
        {
            while (true)
            {
                next ??= changes.MoveNextAsync().AsTask();
                if (query.AllowBookmarks)
                {
                    var done = await Task.WhenAny(next, Task.Delay(bookmarkInterval, timeout.Token)).ConfigureAwait(false);
                    if (done != next)
                    {
                        await done.ConfigureAwait(false);
                        await WriteAsync(response, "BOOKMARK", Bookmark(kind, last), timeout.Token).ConfigureAwait(false);
                        continue;
                    }
                }

                if (!await next.ConfigureAwait(false))
                {
                    return;
                }

                next = null;
                var (type, obj, revision) = changes.Current;
                last = revision;
                if (query.Matches(obj))
                {
                    await WriteAsync(response, type, Render(kind, obj, table, ref first), timeout.Token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            // The client went away, the watch's time is up, or the server stops: the stream ends, the client watches again.
        }
        catch (StoreException e) when (e is GoneException or WatcherTooSlowException)
        {
            var status = ApiException.Status(410, "Expired", $"too old resource version: {e.Message}");
            await WriteAsync(response, "ERROR", status, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (next is not null)
            {
                // Observe the pending read so its cancellation is not an unobserved exception.
                await next.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
            }
        }
    }

    private JsonObject Render(ResourceKind kind, JsonObject obj, bool table, ref bool first)
    {
        if (!table)
        {
            return obj;
        }

        var rendered = tables.Table(kind, [obj], resourceVersion: null, continueToken: null, includeColumns: first);
        first = false;
        return rendered;
    }

    private static JsonObject Bookmark(ResourceKind kind, long revision) => new()
    {
        ["kind"] = kind.Kind,
        ["apiVersion"] = kind.GroupVersion,
        ["metadata"] = new JsonObject { ["resourceVersion"] = revision.ToString(System.Globalization.CultureInfo.InvariantCulture) },
    };

    private static async Task WriteAsync(HttpResponse response, string type, JsonNode obj, CancellationToken cancellationToken)
    {
        var line = JsonSerializer.SerializeToUtf8Bytes(new JsonObject { ["type"] = type, ["object"] = obj.DeepClone() });
        await response.Body.WriteAsync(line, cancellationToken).ConfigureAwait(false);
        await response.Body.WriteAsync("\n"u8.ToArray(), cancellationToken).ConfigureAwait(false);
        await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
