using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Palisade.Manifests;
using Palisade.Server.Api;
using Palisade.Store;

namespace Palisade.Server.Registry;

/// <summary>
/// The one generic registry (kube-apiserver's generic store): get, list, create, update, patch, delete and watch for
/// every kind over the revisioned store, with the kind's strategy (<see cref="ObjectStrategy"/>) for what differs.
/// The object's resourceVersion is the store revision of its last write.
/// </summary>
internal sealed class ResourceRegistry(IRevisionedStore store, ResourceCatalog catalog, ObjectValidator validator, ObjectStrategy strategy)
{
    private const int MaxRetries = 8;

    public IRevisionedStore Store => store;

    public async Task<JsonObject> GetAsync(ResourceKind kind, string? ns, string name, CancellationToken cancellationToken)
    {
        var stored = await store.GetAsync(Key(kind, ns, name), cancellationToken).ConfigureAwait(false) ?? throw ApiException.NotFound(kind, name);
        return Decode(stored.Value, stored.ModRevision);
    }

    public async Task<(List<JsonObject> Items, long Revision, string? Continue)> ListAsync(
        ResourceKind kind, string? ns, ListQuery query, CancellationToken cancellationToken)
    {
        var page = await store.ListAsync(Prefix(kind, ns), query.Limit, query.Continue, cancellationToken).ConfigureAwait(false);
        var items = page.Items.Select(o => Decode(o.Value, o.ModRevision)).Where(query.Matches).ToList();
        return (items, page.Revision, page.Continue);
    }

    /// <summary>Changes after <paramref name="fromRevision"/> as Kubernetes watch event types with the objects.</summary>
    public async IAsyncEnumerable<(string Type, JsonObject Object, long Revision)> WatchAsync(
        ResourceKind kind, string? ns, long fromRevision, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var change in store.WatchAsync(Prefix(kind, ns), fromRevision, cancellationToken).ConfigureAwait(false))
        {
            var type = change.Type switch
            {
                WatchEventType.Added => "ADDED",
                WatchEventType.Modified => "MODIFIED",
                _ => "DELETED",
            };
            yield return (type, Decode(change.Object.Value, change.Revision), change.Revision);
        }
    }

    public async Task<(JsonObject Object, IReadOnlyList<string> Warnings)> CreateAsync(
        ResourceKind kind, string? ns, JsonObject body, string manager, bool dryRun, CancellationToken cancellationToken)
    {
        CheckTypeMeta(kind, body);
        var metadata = ObjectMeta.Of(body);
        var name = ObjectMeta.String(metadata, "name");
        if (string.IsNullOrEmpty(name))
        {
            name = ObjectMeta.String(metadata, "generateName") is { Length: > 0 } generate
                ? generate + ObjectStrategy.NameSuffix()
                : throw Invalid(kind, string.Empty, "metadata.name", "name or generateName is required");
            metadata["name"] = name;
        }

        ns = Scope(kind, ns, body);
        if (kind.Namespaced)
        {
            await RequireNamespaceAsync(ns!, cancellationToken).ConfigureAwait(false);
        }

        strategy.PrepareForCreate(kind, body);
        metadata.Remove("managedFields");
        ManagedFields.RecordUpdate(null, body, manager, kind.GroupVersion, strategy.Now);
        return await StoreNewAsync(kind, ns, name, body, dryRun, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Server-side apply: creates the object from the applied configuration, or merges it into the current one with
    /// <paramref name="manager"/>'s field ownership (<see cref="ManagedFields"/>); 409 on a conflict unless forced.
    /// </summary>
    public async Task<(JsonObject Object, IReadOnlyList<string> Warnings)> ApplyAsync(
        ResourceKind kind, string? ns, string name, JsonObject applied, string manager, bool force, bool dryRun, CancellationToken cancellationToken)
    {
        CheckTypeMeta(kind, applied);
        var appliedName = ObjectMeta.Name(applied);
        if (appliedName.Length > 0 && appliedName != name)
        {
            throw ApiException.BadRequest($"the name of the object ({appliedName}) does not match the name on the URL ({name})");
        }

        var metadata = ObjectMeta.Of(applied);
        metadata["name"] = name;
        metadata.Remove("managedFields");
        Scope(kind, ns, applied);
        var expected = ObjectMeta.ResourceVersion(applied);
        metadata.Remove("resourceVersion");
        var key = Key(kind, ns, name);
        for (var attempt = 0; ; attempt++)
        {
            var stored = await store.GetAsync(key, cancellationToken).ConfigureAwait(false);
            if (stored is null)
            {
                if (expected is not null)
                {
                    throw ApiException.NotFound(kind, name);
                }

                if (kind.Namespaced)
                {
                    await RequireNamespaceAsync(ns!, cancellationToken).ConfigureAwait(false);
                }

                var created = ManagedFields.Apply(kind, null, applied, manager, force, strategy.Now);
                var managed = ObjectMeta.Of(created)["managedFields"]?.DeepClone();
                strategy.PrepareForCreate(kind, created);
                ObjectMeta.Of(created)["managedFields"] = managed;
                try
                {
                    return await StoreNewAsync(kind, ns, name, created, dryRun, cancellationToken).ConfigureAwait(false);
                }
                catch (ApiException e) when (e.Reason == "AlreadyExists" && attempt < MaxRetries)
                {
                    continue;
                }
            }

            if (expected is { } e2 && e2 != stored.ModRevision)
            {
                throw Conflict(kind, name);
            }

            var current = Decode(stored.Value, stored.ModRevision);
            var merged = ManagedFields.Apply(kind, current, applied, manager, force, strategy.Now);
            ObjectStrategy.PrepareForUpdate(kind, current, merged);
            var warnings = await ValidateAsync(kind, name, merged, cancellationToken).ConfigureAwait(false);
            var bytes = Encode(merged);
            if (dryRun || bytes.AsSpan().SequenceEqual(Encode(current)))
            {
                return (Decode(bytes, stored.ModRevision), warnings);
            }

            try
            {
                var written = await store.UpdateAsync(key, bytes, stored.ModRevision, cancellationToken).ConfigureAwait(false);
                return (Decode(written.Value, written.ModRevision), warnings);
            }
            catch (StoreException) when (expected is null && attempt < MaxRetries)
            {
                // Changed or deleted in between: apply again to what is there now.
            }
            catch (ConflictException)
            {
                throw Conflict(kind, name);
            }
        }
    }

    private async Task<(JsonObject Object, IReadOnlyList<string> Warnings)> StoreNewAsync(
        ResourceKind kind, string? ns, string name, JsonObject body, bool dryRun, CancellationToken cancellationToken)
    {
        var warnings = await ValidateAsync(kind, name, body, cancellationToken).ConfigureAwait(false);
        if (dryRun)
        {
            return (body, warnings);
        }

        try
        {
            var stored = await store.CreateAsync(Key(kind, ns, name), Encode(body), cancellationToken).ConfigureAwait(false);
            return (Decode(stored.Value, stored.ModRevision), warnings);
        }
        catch (AlreadyExistsException)
        {
            throw new ApiException(409, "AlreadyExists", $"{kind.QualifiedResource} \"{name}\" already exists", ApiException.Detail(kind, name));
        }
    }

    /// <summary>Replaces an object (PUT): with the body's resourceVersion, 409 when the object changed since.</summary>
    public Task<(JsonObject Object, IReadOnlyList<string> Warnings)> UpdateAsync(
        ResourceKind kind, string? ns, string name, JsonObject body, string manager, bool dryRun, CancellationToken cancellationToken)
    {
        CheckTypeMeta(kind, body);
        var bodyName = ObjectMeta.Name(body);
        if (bodyName.Length > 0 && bodyName != name)
        {
            throw ApiException.BadRequest($"the name of the object ({bodyName}) does not match the name on the URL ({name})");
        }

        ObjectMeta.Of(body)["name"] = name;
        Scope(kind, ns, body);
        return ChangeAsync(kind, ns, name, manager, dryRun, _ => body, cancellationToken);
    }

    /// <summary>Applies a patch to the current object; retried on a concurrent write unless the patch names a resourceVersion.</summary>
    public Task<(JsonObject Object, IReadOnlyList<string> Warnings)> PatchAsync(
        ResourceKind kind, string? ns, string name, Func<JsonObject, JsonObject> patch, string manager, bool dryRun, CancellationToken cancellationToken) =>
        ChangeAsync(kind, ns, name, manager, dryRun, current =>
        {
            var patched = patch(current);
            if (ObjectMeta.Name(patched) != name || ObjectMeta.Namespace(patched) != ObjectMeta.Namespace(current))
            {
                throw ApiException.BadRequest("a patch may not change metadata.name or metadata.namespace");
            }

            return patched;
        }, cancellationToken);

    public async Task<JsonObject> DeleteAsync(ResourceKind kind, string? ns, string name, long? precondition, bool dryRun, CancellationToken cancellationToken)
    {
        var key = Key(kind, ns, name);
        if (dryRun)
        {
            var current = await store.GetAsync(key, cancellationToken).ConfigureAwait(false) ?? throw ApiException.NotFound(kind, name);
            if (precondition is { } p && p != current.ModRevision)
            {
                throw Conflict(kind, name);
            }

            return Decode(current.Value, current.ModRevision);
        }

        Deletion deletion;
        try
        {
            deletion = await store.DeleteAsync(key, precondition, cancellationToken).ConfigureAwait(false);
        }
        catch (NotFoundException)
        {
            throw ApiException.NotFound(kind, name);
        }
        catch (ConflictException)
        {
            throw Conflict(kind, name);
        }

        if (kind == catalog.Namespace)
        {
            await DeleteContentsAsync(name, cancellationToken).ConfigureAwait(false);
        }

        return Decode(deletion.Object.Value, deletion.Revision);
    }

    private async Task<(JsonObject Object, IReadOnlyList<string> Warnings)> ChangeAsync(
        ResourceKind kind, string? ns, string name, string manager, bool dryRun, Func<JsonObject, JsonObject> change, CancellationToken cancellationToken)
    {
        var key = Key(kind, ns, name);
        for (var attempt = 0; ; attempt++)
        {
            var stored = await store.GetAsync(key, cancellationToken).ConfigureAwait(false) ?? throw ApiException.NotFound(kind, name);
            var current = Decode(stored.Value, stored.ModRevision);
            var updated = change((JsonObject)current.DeepClone());
            var expected = ObjectMeta.ResourceVersion(updated);
            if (expected is { } e && e != stored.ModRevision)
            {
                throw Conflict(kind, name);
            }

            ObjectStrategy.PrepareForUpdate(kind, current, updated);
            ObjectMeta.Of(updated)["managedFields"] = ObjectMeta.Of(current)["managedFields"]?.DeepClone();
            ManagedFields.RecordUpdate(current, updated, manager, kind.GroupVersion, strategy.Now);
            var warnings = await ValidateAsync(kind, name, updated, cancellationToken).ConfigureAwait(false);
            var bytes = Encode(updated);
            if (dryRun || bytes.AsSpan().SequenceEqual(Encode(current)))
            {
                // A write that changes nothing takes no revision, as in Kubernetes.
                updated = Decode(bytes, stored.ModRevision);
                return (updated, warnings);
            }

            try
            {
                var written = await store.UpdateAsync(key, bytes, stored.ModRevision, cancellationToken).ConfigureAwait(false);
                return (Decode(written.Value, written.ModRevision), warnings);
            }
            catch (ConflictException) when (expected is null && attempt < MaxRetries)
            {
                // Someone wrote in between and the client did not pin a version: read again and reapply.
            }
            catch (ConflictException)
            {
                throw Conflict(kind, name);
            }
            catch (NotFoundException)
            {
                throw ApiException.NotFound(kind, name);
            }
        }
    }

    private async Task<IReadOnlyList<string>> ValidateAsync(ResourceKind kind, string name, JsonObject obj, CancellationToken cancellationToken)
    {
        var tiers = new HashSet<string>(StringComparer.Ordinal);
        if (kind.Group == "projectcalico.org" && kind.Kind.Contains("NetworkPolicy", StringComparison.Ordinal))
        {
            var tierKind = catalog.FindKind("projectcalico.org/v3", "Tier")!;
            string? token = null;
            do
            {
                var page = await store.ListAsync(StoreKeys.Prefix(tierKind.StoreResource), 500, token, cancellationToken).ConfigureAwait(false);
                tiers.UnionWith(page.Items.Select(i => i.Key[(i.Key.LastIndexOf('/') + 1)..]));
                token = page.Continue;
            }
            while (token is not null);
        }

        var (errors, warnings) = validator.Validate(obj, tiers.Contains);
        return errors.Count > 0 ? throw ObjectValidator.Invalid(kind, name, errors) : warnings.Select(ObjectValidator.Describe).ToList();
    }

    private async Task RequireNamespaceAsync(string ns, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(Key(catalog.Namespace, null, ns), cancellationToken).ConfigureAwait(false) is null)
        {
            throw ApiException.NotFound(catalog.Namespace, ns);
        }
    }

    private async Task DeleteContentsAsync(string ns, CancellationToken cancellationToken)
    {
        foreach (var kind in catalog.NamespacedStorage())
        {
            var page = await store.ListAsync(StoreKeys.Prefix(kind.StoreResource, ns), 0, null, cancellationToken).ConfigureAwait(false);
            foreach (var item in page.Items)
            {
                try
                {
                    await store.DeleteAsync(item.Key, null, cancellationToken).ConfigureAwait(false);
                }
                catch (NotFoundException)
                {
                    // Deleted meanwhile by someone else: what we wanted.
                }
            }
        }
    }

    /// <summary>The namespace an object lives in: the URL's, which the body may repeat but not contradict.</summary>
    private static string? Scope(ResourceKind kind, string? ns, JsonObject body)
    {
        var metadata = ObjectMeta.Of(body);
        if (!kind.Namespaced)
        {
            metadata.Remove("namespace");
            return null;
        }

        var bodyNs = ObjectMeta.String(metadata, "namespace");
        if (ns is null)
        {
            throw ApiException.BadRequest($"{kind.QualifiedResource} are namespaced: the request must name a namespace");
        }

        if (!string.IsNullOrEmpty(bodyNs) && bodyNs != ns)
        {
            throw ApiException.BadRequest($"the namespace of the provided object ({bodyNs}) does not match the namespace sent on the request ({ns})");
        }

        metadata["namespace"] = ns;
        return ns;
    }

    private static void CheckTypeMeta(ResourceKind kind, JsonObject body)
    {
        var apiVersion = body["apiVersion"] is JsonValue v && v.TryGetValue<string>(out var a) ? a : null;
        var bodyKind = body["kind"] is JsonValue k && k.TryGetValue<string>(out var s) ? s : null;
        if (apiVersion is not null && apiVersion != kind.GroupVersion)
        {
            throw ApiException.BadRequest($"the API version in the data ({apiVersion}) does not match the expected API version ({kind.GroupVersion})");
        }

        if (bodyKind is not null && bodyKind != kind.Kind)
        {
            throw ApiException.BadRequest($"the kind in the data ({bodyKind}) does not match the expected kind ({kind.Kind})");
        }

        body["apiVersion"] = kind.GroupVersion;
        body["kind"] = kind.Kind;
    }

    private static ApiException Conflict(ResourceKind kind, string name) =>
        new(409, "Conflict", $"Operation cannot be fulfilled on {kind.QualifiedResource} \"{name}\": the object has been modified; please apply your changes to the latest version and try again", ApiException.Detail(kind, name));

    private static ApiException Invalid(ResourceKind kind, string name, string path, string message) =>
        ObjectValidator.Invalid(kind, name, [new ManifestDiagnostic(DiagnosticSeverity.Error, message) { Path = path }]);

    private static string Key(ResourceKind kind, string? ns, string name)
    {
        if (name.Length == 0 || name.Contains('/', StringComparison.Ordinal) || ns?.Contains('/', StringComparison.Ordinal) == true)
        {
            throw ApiException.BadRequest($"invalid name \"{name}\"");
        }

        return StoreKeys.For(kind.StoreResource, kind.Namespaced ? ns : null, name);
    }

    private static string Prefix(ResourceKind kind, string? ns) =>
        kind.Namespaced && ns is not null ? StoreKeys.Prefix(kind.StoreResource, ns) : StoreKeys.Prefix(kind.StoreResource);

    /// <summary>The stored bytes: the object without its resourceVersion, which is the store's revision.</summary>
    private static byte[] Encode(JsonObject obj)
    {
        var copy = (JsonObject)obj.DeepClone();
        ObjectMeta.Of(copy).Remove("resourceVersion");
        return JsonSerializer.SerializeToUtf8Bytes(copy);
    }

    private static JsonObject Decode(byte[] value, long revision)
    {
        var obj = JsonNode.Parse(value) as JsonObject ?? throw new InvalidDataException("a stored object is not a JSON object");
        ObjectMeta.Of(obj)["resourceVersion"] = revision.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return obj;
    }
}
