using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Palisade.Server.Api;

namespace Palisade.Server.Registry;

/// <summary>
/// What the server sets on objects as they are created and updated (kube-apiserver's per-kind strategies, for the
/// kinds served here): identity and creation time, the generation that counts changes of the desired state, and the
/// Namespace kind's name label and phase.
/// </summary>
internal sealed class ObjectStrategy(TimeProvider time)
{
    private const string NameLabel = "kubernetes.io/metadata.name";

    /// <summary>The time writes are stamped with (creation, managedFields).</summary>
    public DateTimeOffset Now => time.GetUtcNow();

    public void PrepareForCreate(ResourceKind kind, JsonObject obj)
    {
        var metadata = ObjectMeta.Of(obj);
        foreach (var field in new[] { "resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink" })
        {
            metadata.Remove(field);
        }

        metadata["uid"] = Guid.NewGuid().ToString();
        metadata["creationTimestamp"] = ObjectMeta.Timestamp(time.GetUtcNow());
        metadata["generation"] = 1;
        if (kind.Kind == "Namespace" && kind.Group.Length == 0)
        {
            PrepareNamespace(obj);
        }
    }

    /// <summary>Carries what the client may not change over from the current object; counts a change of the spec.</summary>
    public static void PrepareForUpdate(ResourceKind kind, JsonObject current, JsonObject updated)
    {
        var before = ObjectMeta.Of(current);
        var after = ObjectMeta.Of(updated);
        foreach (var field in new[] { "uid", "creationTimestamp" })
        {
            after[field] = before[field]?.DeepClone();
        }

        var generation = before["generation"] is JsonValue g && g.TryGetValue<long>(out var n) ? n : 1;
        after["generation"] = DesiredState(current) == DesiredState(updated) ? generation : generation + 1;
        if (kind.Kind == "Namespace" && kind.Group.Length == 0)
        {
            PrepareNamespace(updated);
        }
    }

    /// <summary>Five characters after a generateName, as Kubernetes makes them.</summary>
    public static string NameSuffix()
    {
        const string Alphabet = "bcdfghjklmnpqrstvwxz2456789";
        return string.Create(5, 0, (span, _) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = Alphabet[RandomNumberGenerator.GetInt32(Alphabet.Length)];
            }
        });
    }

    private static void PrepareNamespace(JsonObject obj)
    {
        var metadata = ObjectMeta.Of(obj);
        if (metadata["labels"] is not JsonObject labels)
        {
            labels = [];
            metadata["labels"] = labels;
        }

        labels[NameLabel] = ObjectMeta.Name(obj);
        obj["spec"] ??= new JsonObject { ["finalizers"] = new JsonArray("kubernetes") };
        obj["status"] = new JsonObject { ["phase"] = "Active" };
    }

    /// <summary>Everything but metadata and status: what a generation counts.</summary>
    private static string DesiredState(JsonObject obj) =>
        new JsonObject([.. obj.Where(p => p.Key is not "metadata" and not "status").Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone()))]).ToJsonString();
}
