using System.Text;

namespace Palisade.Store.Tests;

/// <summary>Backup and restore: a snapshot at one revision that restores into an empty store of either backend.</summary>
public sealed class StoreBackupTests(EtcdServer etcd) : IClassFixture<EtcdServer>, IDisposable
{
    private readonly TempDirectory _data = new();

    private static CancellationToken Timeout => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;

    [Fact]
    public async Task RoundTrip_SqliteToFileToEtcdAndBack_KeepsEveryObject()
    {
        await using var source = SqliteStore.Open(Path.Combine(_data.Path, "source"));
        for (var i = 0; i < 60; i++)
        {
            await source.CreateAsync(StoreKeys.For("pods", $"ns{i % 3}", $"pod-{i}"), Encoding.UTF8.GetBytes($"{{\"n\":{i},\"bytes\":\"\\u0000ü\"}}"), Timeout);
        }

        await source.CreateAsync(StoreKeys.For("namespaces", null, "ns0"), [0, 1, 2, 255], Timeout);
        await source.UpdateAsync(StoreKeys.For("pods", "ns0", "pod-0"), Encoding.UTF8.GetBytes("updated"), null, Timeout);
        await source.DeleteAsync(StoreKeys.For("pods", "ns1", "pod-1"), null, Timeout);
        await source.CompactAsync(await source.GetRevisionAsync(Timeout) - 2, Timeout);
        var expected = Contents((await source.ListAsync("", 0, null, Timeout)).Items);

        var file = Path.Combine(_data.Path, "backup.jsonl");
        await using (var output = File.Create(file))
        {
            Assert.Equal(new BackupSummary(await source.GetRevisionAsync(Timeout), expected.Count), await StoreBackup.WriteAsync(source, output, Timeout, pageSize: 7));
        }

        await using var onEtcd = EtcdStore.Connect(etcd.Endpoint);
        await using (var input = File.OpenRead(file))
        {
            Assert.Equal(expected.Count, await StoreBackup.RestoreAsync(input, onEtcd, Timeout));
        }

        Assert.Equal(expected, Contents((await onEtcd.ListAsync("", 0, null, Timeout)).Items));

        var again = Path.Combine(_data.Path, "again.jsonl");
        await using (var output = File.Create(again))
        {
            await StoreBackup.WriteAsync(onEtcd, output, Timeout);
        }

        await using var back = SqliteStore.Open(Path.Combine(_data.Path, "back"));
        await using (var input = File.OpenRead(again))
        {
            await StoreBackup.RestoreAsync(input, back, Timeout);
        }

        Assert.Equal(expected, Contents((await back.ListAsync("", 0, null, Timeout)).Items));
        Assert.Equal(File.ReadAllLines(file).Skip(1), File.ReadAllLines(again).Skip(1));
    }

    [Fact]
    public async Task Write_WhileWritersRun_IsTheStateAtItsRevision()
    {
        await using var store = SqliteStore.Open(Path.Combine(_data.Path, "busy"));
        for (var i = 0; i < 40; i++)
        {
            await store.CreateAsync($"/k/{i:D2}", Encoding.UTF8.GetBytes("0"), Timeout);
        }

        var writer = Task.Run(async () =>
        {
            for (var n = 1; n <= 200; n++)
            {
                var key = $"/k/{n % 45:D2}";
                _ = await store.GetAsync(key, Timeout) is null
                    ? await store.CreateAsync(key, Encoding.UTF8.GetBytes($"{n}"), Timeout)
                    : await store.UpdateAsync(key, Encoding.UTF8.GetBytes($"{n}"), null, Timeout);
            }
        });
        using var output = new MemoryStream();
        var revision = (await StoreBackup.WriteAsync(store, output, Timeout, pageSize: 3)).Revision;
        await writer;

        // The state at the backup's revision, replayed from the store's whole history.
        var state = new Dictionary<string, StoredObject>();
        if (revision > 1)
        {
            await foreach (var e in store.WatchAsync("", 1, Timeout))
            {
                if (e.Type == WatchEventType.Deleted)
                {
                    state.Remove(e.Object.Key);
                }
                else
                {
                    state[e.Object.Key] = e.Object;
                }

                if (e.Revision == revision)
                {
                    break;
                }
            }
        }

        output.Position = 0;
        await using var restored = SqliteStore.Open(Path.Combine(_data.Path, "restored"));
        await StoreBackup.RestoreAsync(output, restored, Timeout);
        Assert.Equal(Contents(state.Values), Contents((await restored.ListAsync("", 0, null, Timeout)).Items));
    }

    [Fact]
    public async Task Restore_IntoAStoreWithObjects_OrFromATruncatedBackup_IsRefusedBeforeWriting()
    {
        await using var source = SqliteStore.Open(Path.Combine(_data.Path, "source"));
        await source.CreateAsync("/a", [1], Timeout);
        await source.CreateAsync("/b", [2], Timeout);
        using var output = new MemoryStream();
        await StoreBackup.WriteAsync(source, output, Timeout);
        var lines = Encoding.UTF8.GetString(output.ToArray()).Split('\n');

        await Assert.ThrowsAsync<InvalidOperationException>(() => StoreBackup.RestoreAsync(new MemoryStream(output.ToArray()), source, Timeout));
        await using var empty = SqliteStore.Open(Path.Combine(_data.Path, "empty"));
        var truncated = new MemoryStream(Encoding.UTF8.GetBytes(string.Join('\n', lines[..3])));
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => StoreBackup.RestoreAsync(truncated, empty, Timeout));
        Assert.Contains("truncated after 2 objects", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, await empty.GetRevisionAsync(Timeout));
    }

    public void Dispose() => _data.Dispose();

    private static List<string> Contents(IEnumerable<StoredObject> objects) =>
        [.. objects.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => o.Key + " " + Convert.ToBase64String(o.Value))];
}
