using System.Text;
using Microsoft.Extensions.Time.Testing;

namespace Palisade.Store.Tests;

/// <summary>The compactor's clock: it compacts once per interval, to the revision one interval old, and survives a failing store.</summary>
public sealed class StoreCompactorTests : IDisposable
{
    private readonly TempDirectory _data = new();

    private static CancellationToken Timeout => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task Run_CompactsEachIntervalToThePreviousTicksRevision()
    {
        await using var store = SqliteStore.Open(_data.Path);
        var time = new FakeTimeProvider();
        var compactor = new StoreCompactor(store, TimeSpan.FromMinutes(5), time);
        using var stop = new CancellationTokenSource();
        var errors = new List<Exception>();
        var run = compactor.RunAsync(errors.Add, stop.Token);

        await store.CreateAsync("/registry/pods/a/x", Encoding.UTF8.GetBytes("1"), Timeout);
        var first = await store.GetRevisionAsync(Timeout);
        time.Advance(TimeSpan.FromMinutes(4));
        await Settle(compactor, 0);
        time.Advance(TimeSpan.FromMinutes(1)); // first tick: notes `first`
        await store.UpdateAsync("/registry/pods/a/x", Encoding.UTF8.GetBytes("2"), null, Timeout);
        await Settle(compactor, 0);
        time.Advance(TimeSpan.FromMinutes(5)); // second tick: compacts to `first`
        await Settle(compactor, first);

        await stop.CancelAsync();
        await run;
        Assert.Empty(errors);
        await Assert.ThrowsAsync<GoneException>(() => store.ListAsync("/registry/", 1, ContinueFrom(first - 1), Timeout));
    }

    [Fact]
    public void Interval_MustBePositive() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new StoreCompactor(new FailingStore(), TimeSpan.Zero, TimeProvider.System));

    [Fact]
    public async Task Run_ReportsAFailedTickAndGoesOn()
    {
        var store = new FailingStore();
        var time = new FakeTimeProvider();
        var compactor = new StoreCompactor(store, TimeSpan.FromSeconds(10), time);
        using var stop = new CancellationTokenSource();
        var errors = new List<Exception>();
        var run = compactor.RunAsync(errors.Add, stop.Token);

        for (var i = 0; i < 3; i++)
        {
            time.Advance(TimeSpan.FromSeconds(10));
            await WaitUntil(() => store.Calls > i);
        }

        await stop.CancelAsync();
        await run;
        Assert.Equal(3, errors.Count);
        Assert.All(errors, e => Assert.IsType<GoneException>(e));
    }

    private static string ContinueFrom(long revision) => new ContinueToken(revision, "/registry/pods/a/w").Encode();

    private static async Task Settle(StoreCompactor compactor, long expected) => await WaitUntil(() => compactor.Compacted == expected);

    /// <summary>The timer's callback runs on the thread pool: wait for its effect, bounded.</summary>
    private static async Task WaitUntil(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition(), "the compactor did not act within 5 s");
    }

    /// <summary>A store whose revision reads fail, to see the compactor survive its errors.</summary>
    private sealed class FailingStore : IRevisionedStore
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public Task<long> GetRevisionAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            throw new GoneException(1, 2);
        }

        public Task<StoredObject> CreateAsync(string key, byte[] value, CancellationToken cancellationToken) => throw new InvalidOperationException("unused");

        public Task<StoredObject> UpdateAsync(string key, byte[] value, long? expectedRevision, CancellationToken cancellationToken) => throw new InvalidOperationException("unused");

        public Task<Deletion> DeleteAsync(string key, long? expectedRevision, CancellationToken cancellationToken) => throw new InvalidOperationException("unused");

        public Task<StoredObject?> GetAsync(string key, CancellationToken cancellationToken) => throw new InvalidOperationException("unused");

        public Task<ListPage> ListAsync(string prefix, int limit, string? continueToken, CancellationToken cancellationToken) => throw new InvalidOperationException("unused");

        public IAsyncEnumerable<WatchEvent> WatchAsync(string prefix, long fromRevision, CancellationToken cancellationToken) => throw new InvalidOperationException("unused");

        public Task CompactAsync(long revision, CancellationToken cancellationToken) => throw new InvalidOperationException("unused");

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
