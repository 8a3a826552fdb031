using System.Text;
using Palisade.Store;

namespace Palisade.Cli.Tests;

/// <summary><c>palisade backup</c> and <c>palisade restore</c>: a round trip through a file, and the refusals.</summary>
public sealed class BackupRestoreTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("palisade-backup-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static CancellationToken Timeout => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;

    [Fact]
    public async Task Backup_ThenRestoreIntoAnEmptyStore_KeepsEveryObject()
    {
        var source = Path.Combine(dir, "source");
        var expected = new SortedDictionary<string, string>(StringComparer.Ordinal);
        await using (var store = SqliteStore.Open(source))
        {
            for (var i = 0; i < 25; i++)
            {
                var key = StoreKeys.For("networkpolicies", $"ns{i % 4}", $"p{i}");
                var value = $"{{\"metadata\":{{\"name\":\"p{i}\"}},\"n\":{i}}}";
                await store.CreateAsync(key, Encoding.UTF8.GetBytes(value), Timeout);
                expected[key] = value;
            }

            await store.DeleteAsync(StoreKeys.For("networkpolicies", "ns0", "p0"), null, Timeout);
            expected.Remove(StoreKeys.For("networkpolicies", "ns0", "p0"));
        }

        var file = Path.Combine(dir, "backup.jsonl");
        var backup = CliRunner.Run("backup", "--data", source, file);
        Assert.True(backup.ExitCode == 0, backup.Err);
        Assert.Contains("backed up 24 objects at revision 27", backup.Err, StringComparison.Ordinal);
        Assert.False(File.Exists(file + ".partial"));

        var target = Path.Combine(dir, "target");
        var restore = CliRunner.Run("restore", "--data", target, file);
        Assert.True(restore.ExitCode == 0, restore.Err);
        Assert.Contains("restored 24 objects", restore.Err, StringComparison.Ordinal);

        await using var restored = SqliteStore.Open(target);
        var items = (await restored.ListAsync("", 0, null, Timeout)).Items;
        Assert.Equal(expected, items.ToDictionary(o => o.Key, o => Encoding.UTF8.GetString(o.Value)));
    }

    [Fact]
    public async Task Restore_IntoAStoreWithObjects_IsRefusedAndWritesNothing()
    {
        var file = Path.Combine(dir, "one.jsonl");
        var source = Path.Combine(dir, "one");
        await using (var store = SqliteStore.Open(source))
        {
            await store.CreateAsync("/registry/namespaces/a", "{}"u8.ToArray(), Timeout);
        }

        Assert.Equal(0, CliRunner.Run("backup", "--data", source, file).ExitCode);
        var again = CliRunner.Run("restore", "--data", source, file);

        Assert.Equal(2, again.ExitCode);
        Assert.Contains("restore only into an empty store", again.Err, StringComparison.Ordinal);
        await using var after = SqliteStore.Open(source);
        Assert.Equal(2, await after.GetRevisionAsync(Timeout));
    }

    [Fact]
    public async Task Restore_ATruncatedBackup_NamesTheLine_AndWritesNothing()
    {
        var source = Path.Combine(dir, "source");
        await using (var store = SqliteStore.Open(source))
        {
            await store.CreateAsync("/registry/namespaces/a", "{}"u8.ToArray(), Timeout);
            await store.CreateAsync("/registry/namespaces/b", "{}"u8.ToArray(), Timeout);
        }

        var file = Path.Combine(dir, "backup.jsonl");
        Assert.Equal(0, CliRunner.Run("backup", "--data", source, file).ExitCode);
        File.WriteAllLines(file, File.ReadAllLines(file)[..^1]);

        var target = Path.Combine(dir, "target");
        var restore = CliRunner.Run("restore", "--data", target, file);

        Assert.Equal(2, restore.ExitCode);
        Assert.Contains($"{file}: line 4: the backup ends without its trailer", restore.Err, StringComparison.Ordinal);
        await using var empty = SqliteStore.Open(target);
        Assert.Empty((await empty.ListAsync("", 0, null, Timeout)).Items);
    }

    [Fact]
    public async Task Backup_WhileAnotherProcessHoldsTheStore_SaysSo()
    {
        var source = Path.Combine(dir, "busy");
        await using var running = SqliteStore.Open(source);

        var backup = CliRunner.Run("backup", "--data", source, Path.Combine(dir, "b.jsonl"));

        Assert.Equal(2, backup.ExitCode);
        Assert.Contains("in use by another process", backup.Err, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(dir, "b.jsonl")));
    }

    [Theory]
    [InlineData("backup")]
    [InlineData("restore")]
    public void WithoutDataOrEtcd_ExitsTwoWithTheFix(string verb)
    {
        var result = CliRunner.Run(verb, Path.Combine(dir, "x.jsonl"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--data DIR is required", result.Err, StringComparison.Ordinal);
    }
}
