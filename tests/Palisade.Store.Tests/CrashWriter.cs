using System.Globalization;
using System.Text;

namespace Palisade.Store.Tests;

/// <summary>
/// The crash test's child: four writers create keys and bump a counter each in the SQLite store under a directory,
/// printing <c>ack KEY REVISION VALUE</c> after each acknowledged write, until killed (or after a bounded run).
/// </summary>
internal static class CrashWriter
{
    public const int Writers = 4;

    public static async Task RunAsync(string directory)
    {
        await using var store = SqliteStore.Open(directory);
        var run = Guid.NewGuid().ToString("N")[..8];
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            var counter = $"/crash/{w}/counter";
            for (var i = 0; i < 20_000 && !bound.IsCancellationRequested; i++)
            {
                var created = await store.CreateAsync($"/crash/{w}/{run}-{i}", Encoding.UTF8.GetBytes($"{i}"), bound.Token);
                Ack(created);
                var value = Encoding.UTF8.GetBytes($"{run}-{i}");
                var bumped = await store.GetAsync(counter, bound.Token) is null
                    ? await store.CreateAsync(counter, value, bound.Token)
                    : await store.UpdateAsync(counter, value, null, bound.Token);
                Ack(bumped);
            }
        })));
    }

    private static void Ack(StoredObject o) =>
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ack {o.Key} {o.ModRevision} {Encoding.UTF8.GetString(o.Value)}"));
}
