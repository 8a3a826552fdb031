namespace Palisade.Manifests.Tests;

/// <summary>Replaying unchanged files from the cache gives exactly what reading them gives.</summary>
public sealed class ParseCacheTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("palisade-cache-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static string Describe(LoadResult r) =>
        string.Join("\n", r.Cluster.Workloads.Select(w => $"{w.Id} {w.Labels}").Concat(r.Policies.Policies.Select(p => $"{p.Source.DisplayName} {p.IngressRules.Count}"))
            .Concat(r.Diagnostics.Select(d => d.ToString())).Concat(r.Skipped.Select(s => s.ToString())).Append($"{r.ObjectCount}"));

    [Fact]
    public void CachedLoad_EqualsFreshLoad_AndReplaysUnchangedFiles()
    {
        Write("pods.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: x, labels: {app: a}}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: x}\n");
        var policy = Write("np.yaml", "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\nspec:\n  podSelector: {}\n  policyTypes: [Ingress, Egress]\n  ingress: []\n");
        var cache = new ParseCache();

        var first = new ManifestLoader().Load([dir], cache);
        Assert.Equal(0, cache.LastHits);
        var second = new ManifestLoader().Load([dir], cache);
        Assert.Equal(2, cache.LastHits);
        Assert.Equal(Describe(new ManifestLoader().Load([dir])), Describe(second));
        Assert.Equal(Describe(first), Describe(second));

        File.WriteAllText(policy, File.ReadAllText(policy).Replace("ingress: []", "ingress: [{}]", StringComparison.Ordinal));
        File.SetLastWriteTimeUtc(policy, DateTime.UtcNow.AddSeconds(5));
        var third = new ManifestLoader().Load([dir], cache);
        Assert.Equal(1, cache.LastHits);
        Assert.Equal(Describe(new ManifestLoader().Load([dir])), Describe(third));
        Assert.Single(Assert.Single(third.Policies.Policies).IngressRules);
    }

    [Fact]
    public void ReplayedFile_StillConflictsWithANewDuplicate()
    {
        Write("a.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: x}\n");
        var cache = new ParseCache();
        Assert.True(new ManifestLoader().Load([dir], cache).Succeeded);

        Write("b.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: x}\n");
        var result = new ManifestLoader().Load([dir], cache);

        Assert.Equal(1, cache.LastHits);
        var e = Assert.Single(result.Errors);
        Assert.Contains("defined twice", e.Message, StringComparison.Ordinal);
        Assert.EndsWith("b.yaml", e.File, StringComparison.Ordinal);
    }

    [Fact]
    public void FileWithErrors_IsNotCached()
    {
        Write("bad.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: Bad_Name}\n");
        var cache = new ParseCache();
        Assert.False(new ManifestLoader().Load([dir], cache).Succeeded);
        Assert.False(new ManifestLoader().Load([dir], cache).Succeeded);
        Assert.Equal(0, cache.LastHits);
    }
}
