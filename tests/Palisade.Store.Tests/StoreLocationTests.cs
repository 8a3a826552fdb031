namespace Palisade.Store.Tests;

public sealed class StoreLocationTests
{
    [Fact]
    public async Task Open_NamesEachBackend_AndRefusesAnythingElseWithWhatItExpects()
    {
        using var data = new TempDirectory();
        await using (var sqlite = StoreLocation.Open(null, data.Path))
        {
            Assert.IsType<SqliteStore>(sqlite);
            Assert.True(File.Exists(Path.Combine(data.Path, SqliteStore.FileName)));
        }

        await using (var etcd = StoreLocation.Open("etcd://127.0.0.1:2379", data.Path))
        {
            Assert.Equal(new Uri("etcd://127.0.0.1:2379"), Assert.IsType<EtcdStore>(etcd).Endpoint);
        }

        var unknown = Assert.Throws<ArgumentException>(() => StoreLocation.Open("postgres://db", data.Path));
        Assert.Contains("expected sqlite or etcd://HOST:PORT", unknown.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => StoreLocation.Open("etcd://127.0.0.1", data.Path));
    }

    [Fact]
    public void Keys_OfAResourceAndANamespace_ArePrefixesThatDoNotOverlap()
    {
        var pod = StoreKeys.For("pods", "ns1", "web");
        Assert.StartsWith(StoreKeys.Prefix("pods", "ns1"), pod, StringComparison.Ordinal);
        Assert.StartsWith(StoreKeys.Prefix("pods"), pod, StringComparison.Ordinal);
        Assert.DoesNotContain(StoreKeys.Prefix("pods", "ns"), pod, StringComparison.Ordinal);
        Assert.Equal("/registry/namespaces/ns1", StoreKeys.For("namespaces", null, "ns1"));
        Assert.Throws<ArgumentException>(() => StoreKeys.For("pods", "a/b", "c"));
        Assert.Equal("/registry/pods0"u8.ToArray(), StoreKeys.PrefixEnd(StoreKeys.Prefix("pods")));
    }
}
