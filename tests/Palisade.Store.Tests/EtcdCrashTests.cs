using System.Globalization;
using System.Text;

namespace Palisade.Store.Tests;

/// <summary>
/// kill -9 of etcd while a server writes: no acknowledged write is lost, the same store object carries on once etcd is
/// back, and a watch from before the crash replays every acknowledged write in order.
/// </summary>
public sealed class EtcdCrashTests(EtcdServer etcd) : IClassFixture<EtcdServer>
{
    [Fact]
    public async Task Kill9_DuringWrites_LosesNoAcknowledgedWrite_AndTheStoreCarriesOn()
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await using var store = EtcdStore.Connect(etcd.Endpoint);
        var prefix = $"/registry/networkpolicies/crash-{Guid.NewGuid():N}/";
        var start = await store.GetRevisionAsync(bound.Token);
        var acks = new List<(string Key, long Revision, string Value)>();
        var failures = 0;

        using var stopWriting = new CancellationTokenSource();
        var writer = Task.Run(
            async () =>
            {
                for (var i = 0; i < 100_000 && !stopWriting.IsCancellationRequested; i++)
                {
                    var key = prefix + i.ToString("D6", CultureInfo.InvariantCulture);
                    var value = $"{{\"n\":{i}}}";
                    try
                    {
                        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(bound.Token);
                        attempt.CancelAfter(TimeSpan.FromSeconds(2));
                        var stored = await store.CreateAsync(key, Encoding.UTF8.GetBytes(value), attempt.Token);
                        lock (acks)
                        {
                            acks.Add((key, stored.ModRevision, value));
                        }
                    }
                    catch (Exception e) when (e is not AlreadyExistsException && !bound.IsCancellationRequested)
                    {
                        // etcd is down: the write is unacknowledged (it may or may not have landed); go on with the next key.
                        Interlocked.Increment(ref failures);
                        await Task.Delay(20, bound.Token);
                    }
                }
            },
            bound.Token);

        await WaitForAcks(acks, 200, bound.Token);
        await etcd.KillAndRestartAsync(TimeSpan.FromMilliseconds(500));
        var afterRestart = Count(acks) + 200;
        await WaitForAcks(acks, afterRestart, bound.Token);
        await stopWriting.CancelAsync();
        await writer;

        Assert.True(failures > 0, "no write failed while etcd was down: the kill did not happen during writes");
        var items = (await store.ListAsync(prefix, 0, null, bound.Token)).Items.ToDictionary(o => o.Key);
        foreach (var (key, revision, value) in acks)
        {
            Assert.True(items.TryGetValue(key, out var stored), $"{key}, acknowledged at revision {revision}, is gone after the restart");
            Assert.Equal((revision, value), (stored.ModRevision, Encoding.UTF8.GetString(stored.Value)));
        }

        // A watcher that was cut off by the crash resumes from its last revision and sees every acknowledged write once, in order.
        var replayed = new List<long>();
        using var watchBound = CancellationTokenSource.CreateLinkedTokenSource(bound.Token);
        var last = acks.Max(a => a.Revision);
        await foreach (var e in store.WatchAsync(prefix, start, watchBound.Token))
        {
            replayed.Add(e.Revision);
            if (e.Revision >= last)
            {
                break;
            }
        }

        Assert.Equal(replayed.Order(), replayed);
        Assert.Equal(replayed.Distinct().Count(), replayed.Count);
        Assert.Subset(replayed.ToHashSet(), acks.Select(a => a.Revision).ToHashSet());
    }

    private static int Count(List<(string, long, string)> acks)
    {
        lock (acks)
        {
            return acks.Count;
        }
    }

    private static async Task WaitForAcks(List<(string, long, string)> acks, int count, CancellationToken cancellationToken)
    {
        while (Count(acks) < count)
        {
            await Task.Delay(10, cancellationToken);
        }
    }
}
