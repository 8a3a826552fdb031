using System.Collections.Frozen;
using System.Text.Json.Nodes;
using Palisade.Server.Api;

namespace Palisade.Server.Patching;

/// <summary>
/// Applies a Kubernetes strategic merge patch to a built-in kind: like a JSON merge patch, except that the lists the
/// Kubernetes types mark with <c>patchStrategy:"merge"</c> merge their items by key (containers by name, a container's
/// ports by containerPort), and the <c>$patch</c>, <c>$retainKeys</c>, <c>$deleteFromPrimitiveList</c> and
/// <c>$setElementOrder</c> directives kubectl sends are honoured.
/// </summary>
/// <remarks>The merge keys are those of the fields of the kinds served (core v1 pods and templates, object metadata); a
/// list not named here is atomic and replaced whole, as in the Kubernetes types (NetworkPolicy's rules are atomic).</remarks>
internal static class StrategicMergePatch
{
    private const string Directive = "$patch";
    private const string RetainKeys = "$retainKeys";
    private const string SetElementOrder = "$setElementOrder/";
    private const string DeleteFromPrimitiveList = "$deleteFromPrimitiveList/";

    private static readonly FrozenDictionary<string, string> MergeKeys = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["containers"] = "name",
        ["initContainers"] = "name",
        ["ephemeralContainers"] = "name",
        ["volumes"] = "name",
        ["env"] = "name",
        ["imagePullSecrets"] = "name",
        ["secrets"] = "name",
        ["resourceClaims"] = "name",
        ["volumeMounts"] = "mountPath",
        ["volumeDevices"] = "devicePath",
        ["ports"] = "containerPort",
        ["hostAliases"] = "ip",
        ["topologySpreadConstraints"] = "topologyKey",
        ["ownerReferences"] = "uid",
        ["conditions"] = "type",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Lists of scalars that merge as sets (<c>metadata.finalizers</c>).</summary>
    private static readonly FrozenSet<string> MergedScalarLists = new[] { "finalizers" }.ToFrozenSet(StringComparer.Ordinal);

    public static JsonObject Apply(JsonObject target, JsonObject patch) => MergeMap((JsonObject)target.DeepClone(), patch);

    /// <summary>The key a list field's items merge by, when the served kinds' types give it one.</summary>
    public static bool TryGetMergeKey(string field, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? key) =>
        MergeKeys.TryGetValue(field, out key);

    private static JsonObject MergeMap(JsonObject target, JsonObject patch)
    {
        if (patch[Directive] is JsonValue directive)
        {
            switch (directive.GetValue<string>())
            {
                case "replace":
                    var replaced = (JsonObject)patch.DeepClone();
                    replaced.Remove(Directive);
                    return StripDirectives(replaced);
                case "delete":
                    return [];
                case "merge":
                    break;
                default:
                    throw ApiException.BadRequest($"unknown $patch directive \"{directive}\" (expected replace, delete or merge)");
            }
        }

        if (patch[RetainKeys] is JsonArray retain)
        {
            var keep = retain.Select(k => k?.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
            foreach (var key in target.Select(p => p.Key).Where(k => !keep.Contains(k)).ToList())
            {
                target.Remove(key);
            }
        }

        foreach (var (key, value) in patch)
        {
            if (key is Directive or RetainKeys || key.StartsWith(SetElementOrder, StringComparison.Ordinal))
            {
                continue;
            }

            if (key.StartsWith(DeleteFromPrimitiveList, StringComparison.Ordinal))
            {
                var field = key[DeleteFromPrimitiveList.Length..];
                if (target[field] is JsonArray list && value is JsonArray remove)
                {
                    var removed = remove.Select(r => r?.ToJsonString()).ToHashSet(StringComparer.Ordinal);
                    target[field] = new JsonArray([.. list.Where(i => !removed.Contains(i?.ToJsonString())).Select(i => i?.DeepClone())]);
                }

                continue;
            }

            if (value is null)
            {
                target.Remove(key);
            }
            else if (value is JsonObject patchMap)
            {
                if (patchMap[Directive] is JsonValue d && d.GetValue<string>() == "delete")
                {
                    target.Remove(key);
                }
                else
                {
                    target[key] = MergeMap(target[key] is JsonObject existing ? (JsonObject)existing.DeepClone() : [], patchMap);
                }
            }
            else if (value is JsonArray patchList)
            {
                target[key] = MergeList(key, target[key] as JsonArray, patchList);
            }
            else
            {
                target[key] = value.DeepClone();
            }
        }

        return target;
    }

    private static JsonArray MergeList(string field, JsonArray? target, JsonArray patch)
    {
        // [{"$patch": "replace"}, items...] replaces the list whatever its strategy.
        var replace = patch.OfType<JsonObject>().Any(i => i[Directive] is JsonValue d && d.GetValue<string>() == "replace");
        if (replace)
        {
            return new JsonArray([.. patch.Where(i => !(i is JsonObject o && o[Directive] is not null)).Select(i => StripNode(i))]);
        }

        if (MergedScalarLists.Contains(field))
        {
            var merged = target is null ? [] : (JsonArray)target.DeepClone();
            var present = merged.Select(i => i?.ToJsonString()).ToHashSet(StringComparer.Ordinal);
            foreach (var item in patch)
            {
                if (present.Add(item?.ToJsonString()))
                {
                    merged.Add(item?.DeepClone());
                }
            }

            return merged;
        }

        if (!MergeKeys.TryGetValue(field, out var mergeKey) || !patch.All(i => i is JsonObject))
        {
            return new JsonArray([.. patch.Select(i => StripNode(i))]);
        }

        var result = target is null ? [] : (JsonArray)target.DeepClone();
        foreach (var item in patch.Cast<JsonObject>())
        {
            var key = item[mergeKey]?.ToJsonString();
            var index = key is null ? -1 : IndexOf(result, mergeKey, key);
            var delete = item[Directive] is JsonValue d && d.GetValue<string>() == "delete";
            if (delete)
            {
                if (index >= 0)
                {
                    result.RemoveAt(index);
                }
            }
            else if (index >= 0)
            {
                result[index] = MergeMap((JsonObject)result[index]!.DeepClone(), item);
            }
            else
            {
                result.Add(StripDirectives((JsonObject)item.DeepClone()));
            }
        }

        return result;
    }

    private static int IndexOf(JsonArray list, string mergeKey, string key)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] is JsonObject o && o[mergeKey]?.ToJsonString() == key)
            {
                return i;
            }
        }

        return -1;
    }

    private static JsonNode? StripNode(JsonNode? node) => node is JsonObject o ? StripDirectives((JsonObject)o.DeepClone()) : node?.DeepClone();

    /// <summary>Removes directives from a value that is stored as it is (a new list item, a replaced map).</summary>
    private static JsonObject StripDirectives(JsonObject obj)
    {
        foreach (var key in obj.Select(p => p.Key).Where(k => k.StartsWith('$')).ToList())
        {
            obj.Remove(key);
        }

        foreach (var (_, value) in obj.ToList())
        {
            if (value is JsonObject child)
            {
                StripDirectives(child);
            }
            else if (value is JsonArray list)
            {
                foreach (var item in list.OfType<JsonObject>())
                {
                    StripDirectives(item);
                }
            }
        }

        return obj;
    }
}
