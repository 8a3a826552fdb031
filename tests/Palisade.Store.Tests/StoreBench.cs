using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Palisade.Store.Tests;

/// <summary>
/// Measures both backends in one run (not a test: <c>dotnet Palisade.Store.Tests.dll bench [DIR]</c>): writes per
/// second with one writer and with 16, and a watch fan-out (100 watchers, 8 writers) as events delivered per second,
/// with etcd's figures as ratios of SQLite's. Both keep their data under DIR (the temp directory by default).
/// </summary>
internal static class StoreBench
{
    private const int Watchers = 100;

    public static async Task RunAsync(string? root)
    {
        using var data = new TempDirectory(root);
        var etcd = new EtcdServer(data.Path);
        await etcd.InitializeAsync();
        try
        {
            var results = new Dictionary<string, Dictionary<string, double>>();
            foreach (var (name, open) in new (string, Func<IRevisionedStore>)[]
            {
                ("sqlite", () => SqliteStore.Open(Path.Combine(data.Path, "sqlite"))),
                ("etcd", () => EtcdStore.Connect(etcd.Endpoint)),
            })
            {
                await using var store = open();
                results[name] = new Dictionary<string, double>
                {
                    ["writesPerSecond1Writer"] = await WritesAsync(store, "/bench/one/", writers: 1, each: 300),
                    ["writesPerSecond16Writers"] = await WritesAsync(store, "/bench/many/", writers: 16, each: 150),
                    ["fanOutEventsPerSecond100Watchers"] = await FanOutAsync(store, "/bench/fan/", writes: 1000),
                };
            }

            foreach (var (metric, sqlite) in results["sqlite"])
            {
                var onEtcd = results["etcd"][metric];
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{metric,-36} sqlite {sqlite,10:F0}   etcd {onEtcd,10:F0}   etcd/sqlite {onEtcd / sqlite,6:F2}"));
            }
        }
        finally
        {
            await etcd.DisposeAsync();
        }
    }

    /// <summary>Creates writers × each objects with that many concurrent writers; returns writes per second.</summary>
    private static async Task<double> WritesAsync(IRevisionedStore store, string prefix, int writers, int each)
    {
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < each; i++)
            {
                await store.CreateAsync($"{prefix}{w}/{i}", Value(i), CancellationToken.None);
            }
        })));
        return writers * each / clock.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// 100 watchers on one prefix, 8 writers making <paramref name="writes"/> changes: events delivered per second,
    /// from the first write until every watcher has seen the last.
    /// </summary>
    private static async Task<double> FanOutAsync(IRevisionedStore store, string prefix, int writes)
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var from = await store.GetRevisionAsync(stop.Token);
        var ready = new CountdownEvent(Watchers);
        var watchers = Enumerable.Range(0, Watchers).Select(_ => Task.Run(async () =>
        {
            var seen = 0;
            await using var watch = store.WatchAsync(prefix, from, stop.Token).GetAsyncEnumerator(stop.Token);
            var first = watch.MoveNextAsync();
            ready.Signal();
            if (!await first)
            {
                return seen;
            }

            for (seen = 1; seen < writes && await watch.MoveNextAsync(); seen++)
            {
            }

            return seen;
        })).ToList();
        ready.Wait(stop.Token);
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            for (var i = w; i < writes; i += 8)
            {
                await store.CreateAsync($"{prefix}{i}", Value(i), stop.Token);
            }
        })));
        var counts = await Task.WhenAll(watchers);
        if (counts.Any(c => c != writes))
        {
            throw new InvalidOperationException($"a watcher saw {counts.Min()} of {writes} events");
        }

        return (double)Watchers * writes / clock.Elapsed.TotalSeconds;
    }

    private static byte[] Value(int i) =>
        Encoding.UTF8.GetBytes($"{{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{{\"name\":\"pod-{i}\",\"labels\":{{\"app\":\"bench\"}}}}}}");
}
