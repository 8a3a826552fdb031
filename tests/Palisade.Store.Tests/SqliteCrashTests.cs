using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Palisade.Store.Tests;

/// <summary>An acknowledged write to the SQLite store survives kill -9 of the process that wrote it.</summary>
public sealed class SqliteCrashTests
{
    [Fact]
    public async Task Kill9_DuringWrites_LosesNoAcknowledgedWrite()
    {
        using var data = new TempDirectory();
        var lastRevision = 0L;
        for (var round = 0; round < 2; round++)
        {
            var acks = await RunAndKillAsync(data.Path, killAfter: 400 + (round * 300));
            Assert.True(acks.Count >= 400, $"the writer acknowledged only {acks.Count} writes before it ended");

            await using var store = SqliteStore.Open(data.Path);
            Assert.True(await store.GetRevisionAsync(CancellationToken.None) >= acks.Max(a => a.Revision));
            foreach (var group in acks.GroupBy(a => a.Key))
            {
                var stored = await store.GetAsync(group.Key, CancellationToken.None);
                Assert.NotNull(stored);
                var last = group.MaxBy(a => a.Revision)!;
                if (group.Key.EndsWith("/counter", StringComparison.Ordinal))
                {
                    // A bump in flight at the kill may have landed unacknowledged: the counter is at its last ack or later.
                    Assert.True(stored.ModRevision >= last.Revision, $"{group.Key} is at {stored.ModRevision}, acknowledged at {last.Revision}");
                }
                else
                {
                    Assert.Equal((last.Revision, last.Value), (stored.ModRevision, Encoding.UTF8.GetString(stored.Value)));
                }
            }

            // Revisions go on from where the crashed writer left them.
            Assert.True(acks.Min(a => a.Revision) > lastRevision);
            lastRevision = await store.GetRevisionAsync(CancellationToken.None);
        }
    }

    private static async Task<List<(string Key, long Revision, string Value)>> RunAndKillAsync(string directory, int killAfter)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(typeof(CrashWriter).Assembly.Location);
        start.ArgumentList.Add("crash-writer");
        start.ArgumentList.Add(directory);
        using var child = Process.Start(start)!;
        var stderr = child.StandardError.ReadToEndAsync();
        var acks = new List<(string, long, string)>();
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(40));
        try
        {
            while (await child.StandardOutput.ReadLineAsync(bound.Token) is { } line)
            {
                acks.Add(Parse(line));
                if (acks.Count == killAfter)
                {
                    child.Kill(entireProcessTree: true);
                }
            }
        }
        finally
        {
            if (!child.HasExited)
            {
                child.Kill(entireProcessTree: true);
            }
        }

        await child.WaitForExitAsync(CancellationToken.None);
        Assert.True(acks.Count >= killAfter, $"the writer ended before it was killed: {await stderr}");
        Assert.NotEqual(0, child.ExitCode);
        return acks;
    }

    private static (string, long, string) Parse(string line)
    {
        var parts = line.Split(' ');
        Assert.True(parts is ["ack", _, _, _], $"the writer printed '{line}'");
        return (parts[1], long.Parse(parts[2], CultureInfo.InvariantCulture), parts[3]);
    }
}
