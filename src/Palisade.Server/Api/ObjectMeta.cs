using System.Globalization;
using System.Text.Json.Nodes;
using Palisade.Model;

namespace Palisade.Server.Api;

/// <summary>Reads and writes the <c>metadata</c> of an API object held as JSON.</summary>
internal static class ObjectMeta
{
    public static JsonObject Of(JsonObject obj)
    {
        if (obj["metadata"] is JsonObject metadata)
        {
            return metadata;
        }

        if (obj["metadata"] is not null)
        {
            throw ApiException.BadRequest("metadata: expected an object");
        }

        metadata = [];
        obj["metadata"] = metadata;
        return metadata;
    }

    public static string? String(JsonObject metadata, string field) => metadata[field] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    public static string Name(JsonObject obj) => String(Of(obj), "name") ?? string.Empty;

    public static string? Namespace(JsonObject obj) => String(Of(obj), "namespace");

    /// <summary>The object's labels (those whose values are strings; the validator reports the others).</summary>
    public static LabelSet Labels(JsonObject obj)
    {
        if (Of(obj)["labels"] is not JsonObject labels)
        {
            return LabelSet.Empty;
        }

        return LabelSet.From(labels
            .Where(p => p.Value is JsonValue v && v.TryGetValue<string>(out _))
            .Select(p => KeyValuePair.Create(p.Key, p.Value!.GetValue<string>())));
    }

    public static JsonObject Annotations(JsonObject obj)
    {
        var metadata = Of(obj);
        if (metadata["annotations"] is JsonObject annotations)
        {
            return annotations;
        }

        annotations = [];
        metadata["annotations"] = annotations;
        return annotations;
    }

    /// <summary>The resourceVersion a client sent, or null; a value that is no revision is a bad request.</summary>
    public static long? ResourceVersion(JsonObject obj)
    {
        var text = String(Of(obj), "resourceVersion");
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var revision) && revision > 0
            ? revision
            : throw ApiException.BadRequest($"metadata.resourceVersion: invalid value \"{text}\": expected a resourceVersion this server returned");
    }

    public static DateTimeOffset? CreationTimestamp(JsonObject obj) =>
        String(Of(obj), "creationTimestamp") is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? at
            : null;

    /// <summary>A timestamp as Kubernetes writes it (RFC 3339, seconds, UTC).</summary>
    public static string Timestamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
