using System.Text;

namespace Palisade.Store.Tests;

/// <summary>
/// The store contract (IRevisionedStore's documentation, operation by operation), run on every backend by a subclass
/// that opens it. Each test works under its own key prefix, so backends shared between tests (one etcd) stay apart;
/// revisions are checked relative to the store's revision when the test starts.
/// </summary>
public abstract class StoreContractTests : IAsyncLifetime
{
    private IRevisionedStore? _store;

    protected IRevisionedStore Store => _store ?? throw new InvalidOperationException("the store is not open");

    /// <summary>This test's key prefix.</summary>
    protected string P { get; } = $"/test/{Guid.NewGuid():N}/";

    protected static CancellationToken Timeout => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;

    /// <summary>Opens the backend under test with the given options.</summary>
    protected abstract Task<IRevisionedStore> OpenAsync(StoreOptions options);

    public async Task InitializeAsync() => _store = await OpenAsync(StoreOptions.Default);

    public async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }
    }

    protected static byte[] B(string text) => Encoding.UTF8.GetBytes(text);

    protected static string S(StoredObject o) => Encoding.UTF8.GetString(o.Value);

    [Fact]
    public async Task Create_NewKey_TakesTheNextRevisionAndGetReturnsIt()
    {
        var start = await Store.GetRevisionAsync(Timeout);
        var created = await Store.CreateAsync(P + "a", B("{\"a\":1}"), Timeout);

        Assert.Equal(new StoredObject(P + "a", B("{\"a\":1}"), start + 1, start + 1), created);
        Assert.Equal(created, await Store.GetAsync(P + "a", Timeout));
        Assert.Equal(start + 1, await Store.GetRevisionAsync(Timeout));
        Assert.Null(await Store.GetAsync(P + "b", Timeout));
    }

    [Fact]
    public async Task Create_ExistingKey_IsAlreadyExistsAndWritesNothing()
    {
        var first = await Store.CreateAsync(P + "a", B("1"), Timeout);

        var error = await Assert.ThrowsAsync<AlreadyExistsException>(() => Store.CreateAsync(P + "a", B("2"), Timeout));

        Assert.Equal(409, error.Code);
        Assert.Equal(first.ModRevision, await Store.GetRevisionAsync(Timeout));
        Assert.Equal(first, await Store.GetAsync(P + "a", Timeout));
    }

    [Fact]
    public async Task Update_WithCurrentRevision_KeepsCreateRevisionAndTakesTheNext()
    {
        var created = await Store.CreateAsync(P + "a", B("1"), Timeout);

        var updated = await Store.UpdateAsync(P + "a", B("2"), created.ModRevision, Timeout);

        Assert.Equal(new StoredObject(P + "a", B("2"), created.CreateRevision, created.ModRevision + 1), updated);
        Assert.Equal(updated, await Store.GetAsync(P + "a", Timeout));
    }

    [Fact]
    public async Task Update_WithStaleRevision_IsConflictAndWritesNothing()
    {
        var created = await Store.CreateAsync(P + "a", B("1"), Timeout);
        var updated = await Store.UpdateAsync(P + "a", B("2"), null, Timeout);

        var error = await Assert.ThrowsAsync<ConflictException>(() => Store.UpdateAsync(P + "a", B("3"), created.ModRevision, Timeout));

        Assert.Equal(409, error.Code);
        Assert.Equal(updated.ModRevision, error.ActualRevision);
        Assert.Equal(updated, await Store.GetAsync(P + "a", Timeout));
        Assert.Equal(updated.ModRevision, await Store.GetRevisionAsync(Timeout));
    }

    [Fact]
    public async Task Update_MissingKey_IsNotFound()
    {
        var error = await Assert.ThrowsAsync<NotFoundException>(() => Store.UpdateAsync(P + "a", B("1"), null, Timeout));
        Assert.Equal(404, error.Code);
        var deleted = await Store.CreateAsync(P + "b", B("1"), Timeout);
        await Store.DeleteAsync(P + "b", null, Timeout);
        await Assert.ThrowsAsync<NotFoundException>(() => Store.UpdateAsync(P + "b", B("2"), deleted.ModRevision, Timeout));
    }

    [Fact]
    public async Task Delete_ReturnsTheObjectAsItWasAndTheDeletionRevision()
    {
        var created = await Store.CreateAsync(P + "a", B("1"), Timeout);
        var updated = await Store.UpdateAsync(P + "a", B("2"), null, Timeout);

        var deletion = await Store.DeleteAsync(P + "a", updated.ModRevision, Timeout);

        Assert.Equal(new Deletion(updated, updated.ModRevision + 1), deletion);
        Assert.Null(await Store.GetAsync(P + "a", Timeout));
        var again = await Store.CreateAsync(P + "a", B("3"), Timeout);
        Assert.Equal(deletion.Revision + 1, again.CreateRevision);
        Assert.NotEqual(created.CreateRevision, again.CreateRevision);
    }

    [Fact]
    public async Task Delete_MissingOrStale_IsRefusedAndWritesNothing()
    {
        await Assert.ThrowsAsync<NotFoundException>(() => Store.DeleteAsync(P + "a", null, Timeout));
        var created = await Store.CreateAsync(P + "a", B("1"), Timeout);
        var updated = await Store.UpdateAsync(P + "a", B("2"), null, Timeout);

        var error = await Assert.ThrowsAsync<ConflictException>(() => Store.DeleteAsync(P + "a", created.ModRevision, Timeout));

        Assert.Equal(409, error.Code);
        Assert.Equal(updated, await Store.GetAsync(P + "a", Timeout));
        Assert.Equal(updated.ModRevision, await Store.GetRevisionAsync(Timeout));
    }

    [Fact]
    public async Task List_SelectsThePrefixInKeyOrderAtTheCurrentRevision()
    {
        await Store.CreateAsync(P + "ns10/b", B("x"), Timeout);
        await Store.CreateAsync(P + "ns1/b", B("b"), Timeout);
        await Store.CreateAsync(P + "ns1/a", B("a"), Timeout);
        await Store.CreateAsync(P + "ns1/c", B("c"), Timeout);
        await Store.DeleteAsync(P + "ns1/c", null, Timeout);

        var page = await Store.ListAsync(P + "ns1/", 0, null, Timeout);

        Assert.Equal([P + "ns1/a", P + "ns1/b"], page.Items.Select(o => o.Key));
        Assert.Equal(await Store.GetRevisionAsync(Timeout), page.Revision);
        Assert.Null(page.Continue);
        Assert.Equal(3, (await Store.ListAsync(P, 0, null, Timeout)).Items.Count);
        Assert.Empty((await Store.ListAsync(P + "none/", 0, null, Timeout)).Items);
    }

    [Fact]
    public async Task List_ContinueTokens_ReadEveryPageAtTheFirstPagesRevision()
    {
        for (var i = 0; i < 5; i++)
        {
            await Store.CreateAsync($"{P}k{i}", B($"v{i}"), Timeout);
        }

        var first = await Store.ListAsync(P, 2, null, Timeout);
        // Changes after the first page: none of them may show in the later pages.
        await Store.UpdateAsync(P + "k3", B("changed"), null, Timeout);
        await Store.DeleteAsync(P + "k4", null, Timeout);
        await Store.CreateAsync(P + "k5", B("new"), Timeout);
        var pages = new List<ListPage> { first };
        while (pages[^1].Continue is { } token)
        {
            pages.Add(await Store.ListAsync(P, 2, token, Timeout));
        }

        Assert.Equal(3, pages.Count);
        Assert.All(pages, p => Assert.Equal(first.Revision, p.Revision));
        Assert.Equal(["v0", "v1", "v2", "v3", "v4"], pages.SelectMany(p => p.Items).Select(S));
        Assert.Equal(["v0", "v1", "v2", "changed", "new"], (await Store.ListAsync(P, 0, null, Timeout)).Items.Select(S));
    }

    [Fact]
    public async Task List_ContinueTokenPastCompaction_IsGone()
    {
        await Store.CreateAsync(P + "a", B("1"), Timeout);
        await Store.CreateAsync(P + "b", B("2"), Timeout);
        var first = await Store.ListAsync(P, 1, null, Timeout);
        await Store.UpdateAsync(P + "b", B("3"), null, Timeout);
        await Store.CompactAsync(await Store.GetRevisionAsync(Timeout), Timeout);

        var error = await Assert.ThrowsAsync<GoneException>(() => Store.ListAsync(P, 1, first.Continue, Timeout));

        Assert.Equal(410, error.Code);
    }

    [Fact]
    public async Task List_ForeignOrDamagedContinueToken_IsBadRequest()
    {
        await Store.CreateAsync(P + "a/1", B("1"), Timeout);
        await Store.CreateAsync(P + "a/2", B("2"), Timeout);
        var first = await Store.ListAsync(P + "a/", 1, null, Timeout);

        var foreign = await Assert.ThrowsAsync<InvalidContinueException>(() => Store.ListAsync(P + "b/", 1, first.Continue, Timeout));
        await Assert.ThrowsAsync<InvalidContinueException>(() => Store.ListAsync(P + "a/", 1, "not a token!", Timeout));

        Assert.Equal(400, foreign.Code);
    }

    [Fact]
    public async Task Watch_FromARevision_ReplaysHistoryThenFollowsLiveChanges()
    {
        var start = await Store.GetRevisionAsync(Timeout);
        var created = await Store.CreateAsync(P + "a", B("1"), Timeout);
        var updated = await Store.UpdateAsync(P + "a", B("2"), null, Timeout);
        await Store.CreateAsync("/elsewhere" + P, B("x"), Timeout);
        var deletion = await Store.DeleteAsync(P + "a", null, Timeout);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Timeout);
        await using var watch = Store.WatchAsync(P, start, cancel.Token).GetAsyncEnumerator(cancel.Token);

        var history = await Take(watch, 3);
        var live = await Store.CreateAsync(P + "b", B("3"), Timeout);
        var next = await Take(watch, 1);

        Assert.Equal(
            [
                new WatchEvent(WatchEventType.Added, created, created.ModRevision),
                new WatchEvent(WatchEventType.Modified, updated, updated.ModRevision),
                new WatchEvent(WatchEventType.Deleted, updated, deletion.Revision),
            ],
            history);
        Assert.Equal([new WatchEvent(WatchEventType.Added, live, live.ModRevision)], next);
    }

    [Fact]
    public async Task Watch_FromAListsRevision_MissesNothingAndRepeatsNothingWhileWritersRun()
    {
        for (var i = 0; i < 20; i++)
        {
            await Store.CreateAsync($"{P}k{i:D2}", B("0"), Timeout);
        }

        using var stop = new CancellationTokenSource();
        var writer = Task.Run(async () =>
        {
            var random = new Random(7);
            for (var n = 1; n <= 150; n++)
            {
                var key = $"{P}k{random.Next(25):D2}";
                if (await Store.GetAsync(key, Timeout) is null)
                {
                    await Store.CreateAsync(key, B($"{n}"), Timeout);
                }
                else if (n % 4 == 0)
                {
                    await Store.DeleteAsync(key, null, Timeout);
                }
                else
                {
                    await Store.UpdateAsync(key, B($"{n}"), null, Timeout);
                }
            }
        });
        await Task.Delay(5);
        var listed = await Store.ListAsync(P, 0, null, Timeout);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Timeout);
        await using var watch = Store.WatchAsync(P, listed.Revision, cancel.Token).GetAsyncEnumerator(cancel.Token);
        await writer;
        var final = await Store.ListAsync(P, 0, null, Timeout);

        var state = listed.Items.ToDictionary(o => o.Key);
        var last = listed.Revision;
        while (last < final.Revision)
        {
            Assert.True(await watch.MoveNextAsync());
            var e = watch.Current;
            Assert.True(e.Revision > last, $"event at {e.Revision} after {last}");
            last = e.Revision;
            Apply(state, e);
        }

        Assert.Equal(final.Items, state.Values.OrderBy(o => o.Key, StringComparer.Ordinal));
    }

    [Fact]
    public async Task Watch_SelectsItsPrefixOnly()
    {
        var start = await Store.GetRevisionAsync(Timeout);
        await Store.CreateAsync(P + "ns10/a", B("other"), Timeout);
        var mine = await Store.CreateAsync(P + "ns1/a", B("mine"), Timeout);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Timeout);
        await using var watch = Store.WatchAsync(P + "ns1/", start, cancel.Token).GetAsyncEnumerator(cancel.Token);

        var first = await Take(watch, 1);
        await Store.CreateAsync(P + "ns10/b", B("other"), Timeout);
        var live = await Store.CreateAsync(P + "ns1/b", B("mine"), Timeout);

        Assert.Equal(mine, first[0].Object);
        Assert.Equal(live, (await Take(watch, 1))[0].Object);
    }

    [Fact]
    public async Task Watch_FromBeforeTheCompactedRevision_IsGoneAndFromItWorks()
    {
        var start = await Store.GetRevisionAsync(Timeout);
        await Store.CreateAsync(P + "a", B("1"), Timeout);
        var updated = await Store.UpdateAsync(P + "a", B("2"), null, Timeout);
        var last = await Store.UpdateAsync(P + "a", B("3"), null, Timeout);
        await Store.CompactAsync(updated.ModRevision, Timeout);

        var error = await Assert.ThrowsAsync<GoneException>(async () =>
        {
            await foreach (var e in Store.WatchAsync(P, start, Timeout))
            {
                Assert.Fail($"a watch from compacted history gave {e}");
            }
        });
        Assert.Equal(410, error.Code);
        await Assert.ThrowsAsync<GoneException>(async () =>
        {
            await foreach (var e in Store.WatchAsync(P, updated.ModRevision - 1, Timeout))
            {
                Assert.Fail($"a watch from compacted history gave {e}");
            }
        });
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Timeout);
        await using var watch = Store.WatchAsync(P, updated.ModRevision, cancel.Token).GetAsyncEnumerator(cancel.Token);
        Assert.Equal([new WatchEvent(WatchEventType.Modified, last, last.ModRevision)], await Take(watch, 1));
    }

    [Fact]
    public async Task Compactor_KeepsOneIntervalOfHistory_AndForgetsWhatIsOlder()
    {
        var compactor = new StoreCompactor(Store, TimeSpan.FromMinutes(5), TimeProvider.System);
        var start = await Store.GetRevisionAsync(Timeout);
        await Store.CreateAsync(P + "a", B("1"), Timeout);

        Assert.Equal(0, await compactor.TickAsync(Timeout)); // the first tick only notes the revision
        var seen = await Store.GetRevisionAsync(Timeout);
        var updated = await Store.UpdateAsync(P + "a", B("2"), null, Timeout);
        Assert.Equal(seen, await compactor.TickAsync(Timeout));

        await Assert.ThrowsAsync<GoneException>(async () =>
        {
            await foreach (var e in Store.WatchAsync(P, start, Timeout))
            {
                Assert.Fail($"a watch from compacted history gave {e}");
            }
        });
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Timeout);
        await using var watch = Store.WatchAsync(P, seen, cancel.Token).GetAsyncEnumerator(cancel.Token);
        Assert.Equal([new WatchEvent(WatchEventType.Modified, updated, updated.ModRevision)], await Take(watch, 1));
        Assert.Equal(seen, compactor.Compacted);

        Assert.Equal(updated.ModRevision, await compactor.TickAsync(Timeout)); // the revision the second tick saw
        Assert.Equal(0, await compactor.TickAsync(Timeout)); // nothing written since: nothing more to forget
    }

    [Fact]
    public async Task Compact_KeepsTheStateAtAndAfterItsRevision()
    {
        await Store.CreateAsync(P + "a", B("1"), Timeout);
        await Store.UpdateAsync(P + "a", B("2"), null, Timeout);
        await Store.CreateAsync(P + "b", B("1"), Timeout);
        await Store.DeleteAsync(P + "b", null, Timeout);
        var before = await Store.ListAsync(P, 0, null, Timeout);

        await Store.CompactAsync(before.Revision, Timeout);
        await Store.CompactAsync(before.Revision - 1, Timeout);

        Assert.Equal(before.Items, (await Store.ListAsync(P, 0, null, Timeout)).Items);
        Assert.Equal(before.Revision, await Store.GetRevisionAsync(Timeout));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.CompactAsync(before.Revision + 10, Timeout));
        var recreated = await Store.CreateAsync(P + "b", B("again"), Timeout);
        Assert.Equal(before.Revision + 1, recreated.CreateRevision);
    }

    [Fact]
    public async Task ConcurrentWriters_EachWriteIsAcknowledgedOnceAtItsOwnRevision_AndEventsReplayTheFinalState()
    {
        const int Writers = 8, WritesEach = 25;
        var shared = await Store.CreateAsync(P + "shared", B("0"), Timeout);
        var start = await Store.GetRevisionAsync(Timeout);
        var acknowledged = await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            var key = $"{P}w{w}";
            var own = await Store.CreateAsync(key, B("0"), Timeout);
            var revisions = new List<long> { own.ModRevision };
            for (var i = 1; i < WritesEach; i++)
            {
                // Every fifth write goes to a key all writers share (unconditionally); the others alternate between
                // conditional and unconditional updates of the writer's own key.
                var written = i % 5 == 0
                    ? await Store.UpdateAsync(P + "shared", B($"{w}:{i}"), null, Timeout)
                    : own = await Store.UpdateAsync(key, B($"{i}"), i % 2 == 0 ? own.ModRevision : null, Timeout);
                revisions.Add(written.ModRevision);
            }

            return revisions;
        })));

        Assert.All(acknowledged, r => Assert.Equal(r.Order(), r));
        var all = acknowledged.SelectMany(r => r).ToList();
        var end = await Store.GetRevisionAsync(Timeout);
        Assert.Equal(Enumerable.Range(1, Writers * WritesEach).Select(i => start + i), all.Order());
        Assert.Equal(start + (Writers * WritesEach), end);

        var state = new Dictionary<string, StoredObject>();
        var count = 0;
        state[P + "shared"] = shared;
        await foreach (var e in Store.WatchAsync(P, start, Timeout))
        {
            Apply(state, e);
            count++;
            if (e.Revision == end)
            {
                break;
            }
        }

        Assert.Equal(end - start, count);
        Assert.Equal((await Store.ListAsync(P, 0, null, Timeout)).Items, state.Values.OrderBy(o => o.Key, StringComparer.Ordinal));
    }

    [Fact]
    public async Task SlowWatcher_IsEndedWithItsBufferedEvents_WhileAFastWatcherGetsEverything()
    {
        await using var store = await OpenAsync(new StoreOptions(WatchBuffer: 16));
        var start = await store.GetRevisionAsync(Timeout);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Timeout);
        await using var slow = store.WatchAsync(P, start, cancel.Token).GetAsyncEnumerator(cancel.Token);
        await using var fast = store.WatchAsync(P, start, cancel.Token).GetAsyncEnumerator(cancel.Token);
        var first = await store.CreateAsync(P + "k", B("0"), Timeout);
        Assert.True(await slow.MoveNextAsync());
        var fastSeen = new List<WatchEvent>(await Take(fast, 1));

        // The fast watcher reads each change before the next is written; the slow one reads nothing meanwhile.
        for (var i = 1; i < 100; i++)
        {
            await store.UpdateAsync(P + "k", B($"{i}"), null, Timeout);
            fastSeen.AddRange(await Take(fast, 1));
        }

        Assert.Equal(Enumerable.Range(1, 100).Select(i => start + i), fastSeen.Select(e => e.Revision));
        var slowSeen = 1;
        var error = await Assert.ThrowsAsync<WatcherTooSlowException>(async () =>
        {
            while (await slow.MoveNextAsync())
            {
                slowSeen++;
            }
        });
        Assert.Equal(410, error.Code);
        Assert.InRange(slowSeen, 2, 100 - 1);
        Assert.Equal(start + 1, first.ModRevision);
    }

    protected static void Apply(Dictionary<string, StoredObject> state, WatchEvent e)
    {
        if (e.Type == WatchEventType.Deleted)
        {
            Assert.True(state.Remove(e.Object.Key, out var was), $"deleted {e.Object.Key}, which was absent");
            Assert.Equal(was, e.Object);
        }
        else
        {
            Assert.Equal(e.Type == WatchEventType.Added, !state.ContainsKey(e.Object.Key));
            state[e.Object.Key] = e.Object;
        }
    }

    protected static async Task<List<WatchEvent>> Take(IAsyncEnumerator<WatchEvent> watch, int count)
    {
        var events = new List<WatchEvent>();
        while (events.Count < count)
        {
            Assert.True(await watch.MoveNextAsync(), $"the watch ended after {events.Count} of {count} events");
            events.Add(watch.Current);
        }

        return events;
    }
}
