using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Palisade.Model.Selectors;
using Palisade.Server.Api;

namespace Palisade.Server.Registry;

/// <summary>What a list or watch asks for: selectors, paging, and where a watch starts.</summary>
internal sealed record ListQuery(
    Selector Labels,
    IReadOnlyList<(string Field, bool Equal, string Value)> Fields,
    int Limit,
    string? Continue,
    string? ResourceVersion,
    bool AllowBookmarks,
    TimeSpan? Timeout)
{
    private static readonly string[] KnownFields = ["metadata.name", "metadata.namespace"];

    public static ListQuery From(IQueryCollection query)
    {
        var labels = query["labelSelector"].ToString() is { Length: > 0 } l ? KubernetesSelectorText.Parse(l) : Selector.All;
        var fields = ParseFields(query["fieldSelector"].ToString());
        var limit = 0;
        if (query["limit"].ToString() is { Length: > 0 } limitText &&
            (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 0))
        {
            throw ApiException.BadRequest($"limit: invalid value \"{limitText}\": expected a non-negative integer");
        }

        TimeSpan? timeout = null;
        if (query["timeoutSeconds"].ToString() is { Length: > 0 } t)
        {
            timeout = int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
                ? TimeSpan.FromSeconds(seconds)
                : throw ApiException.BadRequest($"timeoutSeconds: invalid value \"{t}\": expected a number of seconds");
        }

        return new ListQuery(
            labels,
            fields,
            limit,
            query["continue"].ToString() is { Length: > 0 } c ? c : null,
            query["resourceVersion"].ToString() is { Length: > 0 } rv ? rv : null,
            query["allowWatchBookmarks"] == "true",
            timeout);
    }

    public bool Matches(JsonObject obj)
    {
        if (!Labels.Matches(ObjectMeta.Labels(obj)))
        {
            return false;
        }

        foreach (var (field, equal, value) in Fields)
        {
            var actual = (field == "metadata.name" ? ObjectMeta.Name(obj) : ObjectMeta.Namespace(obj)) ?? string.Empty;
            if (string.Equals(actual, value, StringComparison.Ordinal) != equal)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The revision a watch starts after; null for "now, after the current objects as ADDED events".</summary>
    public long? WatchFrom()
    {
        if (ResourceVersion is null or "0")
        {
            return null;
        }

        return long.TryParse(ResourceVersion, NumberStyles.None, CultureInfo.InvariantCulture, out var revision) && revision > 0
            ? revision
            : throw ApiException.BadRequest($"resourceVersion: invalid value \"{ResourceVersion}\": expected a resourceVersion this server returned");
    }

    private static List<(string, bool, string)> ParseFields(string text)
    {
        var fields = new List<(string, bool, string)>();
        foreach (var raw in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var notEqual = raw.IndexOf("!=", StringComparison.Ordinal);
            var equal = raw.IndexOf('=', StringComparison.Ordinal);
            var (at, length, isEqual) = notEqual > 0 ? (notEqual, 2, false) : raw.IndexOf("==", StringComparison.Ordinal) is > 0 and var eq2 ? (eq2, 2, true) : (equal, 1, true);
            if (at <= 0)
            {
                throw ApiException.BadRequest($"invalid field selector \"{raw}\": expected FIELD=VALUE or FIELD!=VALUE");
            }

            var field = raw[..at].Trim();
            if (!KnownFields.Contains(field, StringComparer.Ordinal))
            {
                throw ApiException.BadRequest($"\"{field}\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\"");
            }

            fields.Add((field, isEqual, raw[(at + length)..].Trim()));
        }

        return fields;
    }
}
