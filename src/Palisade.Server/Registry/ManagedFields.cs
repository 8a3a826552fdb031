using System.Text.Json.Nodes;
using Palisade.Server.Api;
using Palisade.Server.Patching;

namespace Palisade.Server.Registry;

/// <summary>
/// Field ownership as server-side apply defines it: each manager (with its operation, Apply or Update) owns the
/// fields it last set, recorded in <c>metadata.managedFields</c>. An update gives its manager the fields it changed and
/// takes them from the others; an apply sets exactly the fields of the applied configuration, removes the fields its
/// manager applied before and no longer applies (unless another manager owns them), and conflicts when it would change
/// a value another manager owns, unless forced, which takes the field over.
/// </summary>
internal static class ManagedFields
{
    public const string ApplyOperation = "Apply";
    public const string UpdateOperation = "Update";

    /// <summary>Gives <paramref name="manager"/> the fields an update changed (all of them on create).</summary>
    public static void RecordUpdate(JsonObject? old, JsonObject updated, string manager, string apiVersion, DateTimeOffset now)
    {
        var entries = Read(old ?? updated);
        var after = FieldSet.Of(updated);
        var changed = old is null ? after : Changed(old, updated, after);
        var gone = old is null ? FieldSet.Empty : FieldSet.Of(old).Except(after);
        if (old is not null && changed.Count == 0 && gone.Count == 0)
        {
            Write(updated, entries);
            return;
        }

        entries = [.. entries.Select(e => e with { Fields = e.Fields.Except(changed).Except(gone) })];
        var mine = entries.FirstOrDefault(e => e.Manager == manager && e.Operation == UpdateOperation);
        entries.RemoveAll(e => e.Manager == manager && e.Operation == UpdateOperation);
        entries.Add(new Entry(manager, UpdateOperation, apiVersion, ObjectMeta.Timestamp(now), (mine?.Fields ?? FieldSet.Empty).Union(changed)));
        Write(updated, entries);
    }

    /// <summary>
    /// The object after <paramref name="manager"/> applies <paramref name="applied"/> to <paramref name="current"/> (null
    /// when the object does not exist yet), with its managedFields; a 409 Conflict naming each field and its owner when
    /// another manager owns a value the apply would change and <paramref name="force"/> is false.
    /// </summary>
    public static JsonObject Apply(ResourceKind kind, JsonObject? current, JsonObject applied, string manager, bool force, DateTimeOffset now)
    {
        var fields = FieldSet.Of(applied);
        var entries = current is null ? [] : Read(current);
        var conflicts = new List<string>();
        for (var i = 0; i < entries.Count; i++)
        {
            var other = entries[i];
            if (other.Manager == manager && other.Operation == ApplyOperation)
            {
                continue;
            }

            var contested = other.Fields.Intersect(fields).Paths
                .Where(p => !JsonNode.DeepEquals(FieldSet.Get(applied, p), FieldSet.Get(current!, p)))
                .ToList();
            if (contested.Count == 0)
            {
                continue;
            }

            if (force)
            {
                entries[i] = other with { Fields = other.Fields.Except(FieldSet.FromPaths(contested)) };
            }
            else
            {
                conflicts.AddRange(contested.Order(StringComparer.Ordinal).Select(p => $"conflict with \"{other.Manager}\"" + (other.Operation == UpdateOperation ? $" using {other.ApiVersion}" : string.Empty) + $": {FieldSet.Display(p)}"));
            }
        }

        if (conflicts.Count > 0)
        {
            var causes = new JsonArray([.. conflicts.Select(c => (JsonNode)new JsonObject { ["reason"] = "FieldManagerConflict", ["message"] = c })]);
            var details = ApiException.Detail(kind, ObjectMeta.Name(applied));
            details["causes"] = causes;
            var what = conflicts.Count == 1 ? "1 conflict" : $"{conflicts.Count} conflicts";
            throw new ApiException(409, "Conflict", $"Apply failed with {what}: {string.Join("\n", conflicts)}", details);
        }

        var merged = current is null ? [] : (JsonObject)current.DeepClone();
        var previous = entries.FirstOrDefault(e => e.Manager == manager && e.Operation == ApplyOperation)?.Fields ?? FieldSet.Empty;
        var ownedByOthers = entries.Where(e => !(e.Manager == manager && e.Operation == ApplyOperation))
            .Aggregate(FieldSet.Empty, (all, e) => all.Union(e.Fields));
        foreach (var dropped in previous.Except(fields).Except(ownedByOthers).Paths.OrderByDescending(p => p.Length))
        {
            FieldSet.Remove(merged, dropped);
        }

        merged = StrategicMergePatch.Apply(merged, applied);
        var mine = entries.FirstOrDefault(e => e.Manager == manager && e.Operation == ApplyOperation);
        var unchanged = current is not null && mine is not null && mine.Fields.Count == fields.Count && mine.Fields.Except(fields).Count == 0 &&
                        JsonNode.DeepEquals(WithoutManagedFields(current), WithoutManagedFields(merged));
        entries.RemoveAll(e => e.Manager == manager && e.Operation == ApplyOperation);
        entries = [.. entries.Where(e => e.Fields.Count > 0)];

        // An apply that changes nothing keeps its entry as it was, so the object is not written again.
        entries.Add(unchanged ? mine! : new Entry(manager, ApplyOperation, kind.GroupVersion, ObjectMeta.Timestamp(now), fields));
        Write(merged, entries);
        return merged;
    }

    /// <summary>The fields of <paramref name="after"/> whose values an update set or changed.</summary>
    private static FieldSet Changed(JsonObject old, JsonObject updated, FieldSet after) =>
        FieldSet.FromPaths(after.Paths.Where(p => !JsonNode.DeepEquals(FieldSet.Get(old, p), FieldSet.Get(updated, p))));

    private static JsonObject WithoutManagedFields(JsonObject obj)
    {
        var copy = (JsonObject)obj.DeepClone();
        ObjectMeta.Of(copy).Remove("managedFields");
        return copy;
    }

    private static List<Entry> Read(JsonObject obj)
    {
        var entries = new List<Entry>();
        if (ObjectMeta.Of(obj)["managedFields"] is JsonArray list)
        {
            foreach (var item in list.OfType<JsonObject>())
            {
                entries.Add(new Entry(
                    item["manager"]?.ToString() ?? string.Empty,
                    item["operation"]?.ToString() ?? UpdateOperation,
                    item["apiVersion"]?.ToString() ?? string.Empty,
                    item["time"]?.ToString() ?? string.Empty,
                    FieldSet.FromFieldsV1(item["fieldsV1"] as JsonObject)));
            }
        }

        return entries;
    }

    private static void Write(JsonObject obj, List<Entry> entries)
    {
        var list = new JsonArray();
        foreach (var e in entries.Where(e => e.Fields.Count > 0))
        {
            list.Add(new JsonObject
            {
                ["manager"] = e.Manager,
                ["operation"] = e.Operation,
                ["apiVersion"] = e.ApiVersion,
                ["time"] = e.Time,
                ["fieldsType"] = "FieldsV1",
                ["fieldsV1"] = e.Fields.ToFieldsV1(),
            });
        }

        var metadata = ObjectMeta.Of(obj);
        if (list.Count == 0)
        {
            metadata.Remove("managedFields");
        }
        else
        {
            metadata["managedFields"] = list;
        }
    }

    private sealed record Entry(string Manager, string Operation, string ApiVersion, string Time, FieldSet Fields);
}
