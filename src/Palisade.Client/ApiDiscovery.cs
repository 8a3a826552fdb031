using System.Text.Json;

namespace Palisade.Client;

/// <summary>Reads which resources a server serves, from its discovery documents (<c>/api</c>, <c>/apis</c>, <c>/apis/G/V</c>).</summary>
public static class ApiDiscovery
{
    /// <summary>
    /// Every listable top-level resource (no subresources), group by group, each group's versions in the server's
    /// order (its preferred version first).
    /// </summary>
    public static async Task<IReadOnlyList<ApiResource>> ReadAsync(ApiClient client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var groupVersions = new List<string>();
        using (var core = JsonDocument.Parse(await client.GetAsync("/api", cancellationToken).ConfigureAwait(false)))
        {
            groupVersions.AddRange(core.RootElement.GetProperty("versions").EnumerateArray().Select(v => v.GetString()!));
        }

        using (var groups = JsonDocument.Parse(await client.GetAsync("/apis", cancellationToken).ConfigureAwait(false)))
        {
            foreach (var group in groups.RootElement.GetProperty("groups").EnumerateArray())
            {
                var preferred = group.TryGetProperty("preferredVersion", out var p) ? p.GetProperty("groupVersion").GetString() : null;
                var versions = group.GetProperty("versions").EnumerateArray().Select(v => v.GetProperty("groupVersion").GetString()!).ToList();
                if (preferred is not null && versions.Remove(preferred))
                {
                    versions.Insert(0, preferred);
                }

                groupVersions.AddRange(versions);
            }
        }

        var resources = new List<ApiResource>();
        foreach (var groupVersion in groupVersions)
        {
            var path = (groupVersion.Contains('/', StringComparison.Ordinal) ? "/apis/" : "/api/") + groupVersion;
            using var list = JsonDocument.Parse(await client.GetAsync(path, cancellationToken).ConfigureAwait(false));
            foreach (var r in list.RootElement.GetProperty("resources").EnumerateArray())
            {
                var name = r.GetProperty("name").GetString()!;
                var verbs = r.TryGetProperty("verbs", out var v) ? v.EnumerateArray().Select(x => x.GetString()!).ToList() : [];
                if (!name.Contains('/', StringComparison.Ordinal) && verbs.Contains("list"))
                {
                    resources.Add(new ApiResource(groupVersion, name, r.GetProperty("kind").GetString()!, r.GetProperty("namespaced").GetBoolean(), verbs));
                }
            }
        }

        return resources;
    }

    /// <summary>
    /// The resources to read for the kinds <paramref name="wanted"/> accepts (by apiVersion and kind): per group and
    /// kind only the first version served, so an object served in two versions is read once.
    /// </summary>
    public static IReadOnlyList<ApiResource> Select(IEnumerable<ApiResource> resources, Func<string, string, bool> wanted)
    {
        ArgumentNullException.ThrowIfNull(wanted);
        var seen = new HashSet<(string Group, string Kind)>();
        var chosen = new List<ApiResource>();
        foreach (var r in resources)
        {
            var slash = r.GroupVersion.IndexOf('/', StringComparison.Ordinal);
            var group = slash < 0 ? "" : r.GroupVersion[..slash];
            if (wanted(r.GroupVersion, r.Kind) && seen.Add((group, r.Kind)))
            {
                chosen.Add(r);
            }
        }

        return chosen;
    }
}
