using System.Runtime.CompilerServices;
using System.Text;

namespace Palisade.Store.Tests;

/// <summary>
/// The contract as plainly as it can be written: every version in a list, reads scan it. The property test holds both
/// backends to it. Single-threaded; its watch replays history and then waits.
/// </summary>
internal sealed class ReferenceStore : IRevisionedStore
{
    private readonly List<(long Rev, StoredObject Object, bool Deleted)> _versions = [];
    private long _revision = 1;
    private long _compacted;

    public Task<long> GetRevisionAsync(CancellationToken cancellationToken) => Task.FromResult(_revision);

    public Task<StoredObject> CreateAsync(string key, byte[] value, CancellationToken cancellationToken)
    {
        if (At(key, _revision) is { } existing)
        {
            throw new AlreadyExistsException(key, existing.ModRevision);
        }

        var o = new StoredObject(key, value, _revision + 1, _revision + 1);
        _versions.Add((++_revision, o, false));
        return Task.FromResult(o);
    }

    public Task<StoredObject> UpdateAsync(string key, byte[] value, long? expectedRevision, CancellationToken cancellationToken)
    {
        var current = Expect(key, expectedRevision);
        var o = new StoredObject(key, value, current.CreateRevision, _revision + 1);
        _versions.Add((++_revision, o, false));
        return Task.FromResult(o);
    }

    public Task<Deletion> DeleteAsync(string key, long? expectedRevision, CancellationToken cancellationToken)
    {
        var current = Expect(key, expectedRevision);
        _versions.Add((++_revision, current, true));
        return Task.FromResult(new Deletion(current, _revision));
    }

    public Task<StoredObject?> GetAsync(string key, CancellationToken cancellationToken) => Task.FromResult(At(key, _revision));

    public Task<ListPage> ListAsync(string prefix, int limit, string? continueToken, CancellationToken cancellationToken)
    {
        var token = continueToken is null ? (ContinueToken?)null : ContinueToken.Decode(continueToken, prefix);
        var at = token?.Revision ?? _revision;
        if (at < _compacted)
        {
            throw new GoneException(at, _compacted);
        }

        var keys = _versions.Where(v => v.Rev <= at).Select(v => v.Object.Key)
            .Where(k => k.StartsWith(prefix, StringComparison.Ordinal) && (token is null || Compare(k, token.Value.LastKey) > 0))
            .Distinct().Order(Comparer<string>.Create(Compare));
        var live = keys.Select(k => At(k, at)).OfType<StoredObject>().ToList();
        var page = limit > 0 ? live.Take(limit).ToList() : live;
        var next = page.Count < live.Count ? new ContinueToken(at, page[^1].Key).Encode() : null;
        return Task.FromResult(new ListPage(page, at, next));
    }

    public async IAsyncEnumerable<WatchEvent> WatchAsync(
        string prefix, long fromRevision, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (fromRevision < _compacted)
        {
            throw new GoneException(fromRevision, _compacted);
        }

        foreach (var (rev, o, deleted) in _versions.Where(v => v.Rev > fromRevision && v.Object.Key.StartsWith(prefix, StringComparison.Ordinal)).ToList())
        {
            yield return new WatchEvent(
                deleted ? WatchEventType.Deleted : o.CreateRevision == rev ? WatchEventType.Added : WatchEventType.Modified, o, rev);
        }

        await Task.Delay(Timeout.Infinite, cancellationToken);
    }

    public Task CompactAsync(long revision, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(revision, _revision);
        _compacted = Math.Max(_compacted, revision);
        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private StoredObject Expect(string key, long? expected)
    {
        var current = At(key, _revision) ?? throw new NotFoundException(key);
        if (expected is { } e && e != current.ModRevision)
        {
            throw new ConflictException(key, e, current.ModRevision);
        }

        return current;
    }

    private StoredObject? At(string key, long revision)
    {
        var last = _versions.LastOrDefault(v => v.Rev <= revision && v.Object.Key == key);
        return last.Object is null || last.Deleted ? null : last.Object;
    }

    private static int Compare(string a, string b) => Encoding.UTF8.GetBytes(a).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(b));
}
