using System.Globalization;
using System.Text;
using FsCheck;
using FsCheck.Fluent;

namespace Palisade.Store.Tests;

/// <summary>
/// Random operation sequences (FsCheck generators) give the same observable results, revisions taken relative to the
/// start, on the SQLite store, on etcd and on the plain reference model: every outcome or refusal, every list page,
/// every watch's events.
/// </summary>
public sealed class StoreEquivalenceTests(EtcdServer etcd) : IClassFixture<EtcdServer>
{
    private static readonly string[] Keys = ["a/x", "a/y", "ab", "b/x"];
    private static readonly string[] Prefixes = ["", "a/", "a", "b/"];

    private enum Kind
    {
        Create,
        Update,
        Delete,
        Get,
        List,
        Compact,
        Watch,
    }

    private enum Expect
    {
        None,
        Current,
        Stale,
    }

    private sealed record Op(Kind Kind, int Key, int Value, Expect Expect, int Limit, int Back)
    {
        public override string ToString() => $"{Kind}({Keys[Key]}, {Value}, {Expect}, limit {Limit}, back {Back})";
    }

    private static Gen<Op> Ops { get; } =
        from kind in Gen.Frequency((5, Gen.Constant(Kind.Create)), (5, Gen.Constant(Kind.Update)), (3, Gen.Constant(Kind.Delete)),
            (1, Gen.Constant(Kind.Get)), (2, Gen.Constant(Kind.List)), (1, Gen.Constant(Kind.Compact)), (2, Gen.Constant(Kind.Watch)))
        from key in Gen.Choose(0, Keys.Length - 1)
        from value in Gen.Choose(0, 99)
        from expect in Gen.Elements(Expect.None, Expect.Current, Expect.Stale)
        from limit in Gen.Choose(0, 3)
        from back in Gen.Choose(0, 8)
        select new Op(kind, key, value, expect, limit, back);

    [Fact]
    public async Task RandomOperationSequences_GiveTheSameResultsOnSqliteEtcdAndTheReferenceModel()
    {
        var sequences = Gen.Sample(Gen.ListOf(Ops).Select(l => l.ToList()), 24, new Rnd(20261208), 40);
        Assert.Contains(sequences, s => s.Count >= 20);
        using var data = new TempDirectory();
        for (var i = 0; i < sequences.Length; i++)
        {
            var ops = sequences[i];
            var prefix = $"/equivalence/{i}/";
            var reference = await RunAsync(new ReferenceStore(), prefix, ops);
            await using var sqlite = SqliteStore.Open(Path.Combine(data.Path, $"{i}"));
            await using var onEtcd = EtcdStore.Connect(etcd.Endpoint);
            var results = new Dictionary<string, List<string>>
            {
                ["sqlite"] = await RunAsync(sqlite, prefix, ops),
                ["etcd"] = await RunAsync(onEtcd, prefix, ops),
            };
            foreach (var (backend, result) in results)
            {
                for (var n = 0; n < reference.Count; n++)
                {
                    Assert.True(
                        reference[n] == result[n],
                        $"sequence {i}, step {n} on {backend}: the reference gives '{reference[n]}', {backend} '{result[n]}'\n  steps: {string.Join("\n         ", ops)}");
                }
            }
        }
    }

    private static async Task<List<string>> RunAsync(IRevisionedStore store, string prefix, List<Op> ops)
    {
        var start = await store.GetRevisionAsync(Timeout());
        string R(long revision) => (revision - start).ToString(CultureInfo.InvariantCulture);
        string O(StoredObject o) => $"{o.Key[prefix.Length..]}={Encoding.UTF8.GetString(o.Value)}@{R(o.CreateRevision)},{R(o.ModRevision)}";
        var results = new List<string>();
        foreach (var op in ops.Append(new Op(Kind.List, 0, 0, Expect.None, 0, 0)))
        {
            var key = prefix + Keys[op.Key];
            var value = Encoding.UTF8.GetBytes(op.Value.ToString(CultureInfo.InvariantCulture));
            try
            {
                results.Add(op.Kind switch
                {
                    Kind.Create => O(await store.CreateAsync(key, value, Timeout())),
                    Kind.Update => O(await store.UpdateAsync(key, value, await ExpectedAsync(store, key, op.Expect, start), Timeout())),
                    Kind.Delete => await store.DeleteAsync(key, await ExpectedAsync(store, key, op.Expect, start), Timeout()) is var d
                        ? $"{O(d.Object)} deleted at {R(d.Revision)}" : "",
                    Kind.Get => await store.GetAsync(key, Timeout()) is { } o ? O(o) : "absent",
                    Kind.List => await ListAsync(store, prefix + Prefixes[op.Key], op.Limit, O, R),
                    Kind.Compact => await CompactAsync(store, start, op.Back, R),
                    Kind.Watch => await WatchAsync(store, prefix, start, op.Back, O, R),
                    _ => throw new InvalidOperationException($"unknown operation {op.Kind}"),
                });
            }
            catch (StoreException e)
            {
                results.Add(e is ConflictException c ? $"{e.GetType().Name} at {R(c.ActualRevision)}" : e.GetType().Name);
            }
        }

        return results;
    }

    private static async Task<long?> ExpectedAsync(IRevisionedStore store, string key, Expect expect, long start)
    {
        // A revision none of this run's objects can have: the store's revision before the run's first write.
        var current = await store.GetAsync(key, Timeout());
        return expect switch
        {
            Expect.None => null,
            Expect.Current => current?.ModRevision ?? start,
            _ => current is null ? start : current.ModRevision - 1,
        };
    }

    private static async Task<string> ListAsync(
        IRevisionedStore store, string prefix, int limit, Func<StoredObject, string> o, Func<long, string> r)
    {
        var pages = new List<string>();
        string? token = null;
        do
        {
            var page = await store.ListAsync(prefix, limit, token, Timeout());
            pages.Add($"[{string.Join(' ', page.Items.Select(o))}]@{r(page.Revision)}");
            token = page.Continue;
        }
        while (token is not null);

        return string.Join(' ', pages);
    }

    private static async Task<string> CompactAsync(IRevisionedStore store, long start, int back, Func<long, string> r)
    {
        var at = Math.Max(start, await store.GetRevisionAsync(Timeout()) - back);
        await store.CompactAsync(at, Timeout());
        return $"compacted at {r(at)}";
    }

    private static async Task<string> WatchAsync(
        IRevisionedStore store, string prefix, long start, int back, Func<StoredObject, string> o, Func<long, string> r)
    {
        // Every revision of the run is a write under the run's prefix: a watch from `from` has current - from events.
        var current = await store.GetRevisionAsync(Timeout());
        var from = Math.Max(start, current - back);
        if (from == current)
        {
            return "nothing to watch";
        }

        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var events = new List<string>();
        await using var watch = store.WatchAsync(prefix, from, cancel.Token).GetAsyncEnumerator(cancel.Token);
        while (events.Count < current - from && await watch.MoveNextAsync())
        {
            events.Add($"{watch.Current.Type} {o(watch.Current.Object)} at {r(watch.Current.Revision)}");
        }

        return $"from {r(from)}: {string.Join(", ", events)}";
    }

    private static CancellationToken Timeout() => new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token;
}
