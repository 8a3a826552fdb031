namespace Palisade.Store;

/// <summary>
/// A key-value store with one global revision and watch: the contract the API server stands on, kept by the embedded
/// SQLite store and by etcd alike (as kube-apiserver stands on etcd's).
/// </summary>
/// <remarks>
/// <para>Revisions: one monotonic <see cref="long"/> for the whole store. An empty store is at revision 1 (as etcd is);
/// every successful write (create, update, delete) takes the next revision and nothing else does. An object's
/// <see cref="StoredObject.ModRevision"/> is its resourceVersion.</para>
/// <para>Keys: strings compared as their UTF-8 bytes; lists and watches select a key prefix (<see cref="StoreKeys"/>
/// lays keys out so a resource, or a resource in one namespace, is a prefix). Values are opaque bytes (the object's
/// JSON).</para>
/// <para>Errors are <see cref="StoreException"/>s carrying the Kubernetes status code a server answers with:
/// <see cref="NotFoundException"/> 404, <see cref="AlreadyExistsException"/> and <see cref="ConflictException"/> 409,
/// <see cref="GoneException"/> and <see cref="WatcherTooSlowException"/> 410, <see cref="InvalidContinueException"/>
/// 400. A failed write writes nothing.</para>
/// <para>History: every revision after the compacted one is kept. <see cref="CompactAsync"/> forgets the versions a
/// read at or after the compaction revision can no longer see; a list or watch asking for a revision before it
/// fails with <see cref="GoneException"/>, and the client relists, as Kubernetes clients do on 410.</para>
/// </remarks>
public interface IRevisionedStore : IAsyncDisposable
{
    /// <summary>The store's current revision: the revision of the last write, or 1 for a store never written.</summary>
    Task<long> GetRevisionAsync(CancellationToken cancellationToken);

    /// <summary>Stores a new object; <see cref="AlreadyExistsException"/> when the key holds one.</summary>
    /// <returns>The object as stored: <see cref="StoredObject.CreateRevision"/> = <see cref="StoredObject.ModRevision"/>
    /// = the write's revision.</returns>
    Task<StoredObject> CreateAsync(string key, byte[] value, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces an existing object: <see cref="NotFoundException"/> when the key holds none; with
    /// <paramref name="expectedRevision"/> (the resourceVersion the client read), <see cref="ConflictException"/> when
    /// the object changed since; without it the update is unconditional.
    /// </summary>
    Task<StoredObject> UpdateAsync(string key, byte[] value, long? expectedRevision, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes an object: <see cref="NotFoundException"/> when the key holds none, <see cref="ConflictException"/> when
    /// <paramref name="expectedRevision"/> is given and stale.
    /// </summary>
    /// <returns>The object as it was, and the revision of the deletion.</returns>
    Task<Deletion> DeleteAsync(string key, long? expectedRevision, CancellationToken cancellationToken);

    /// <summary>The object under a key at the current revision, or null when there is none.</summary>
    Task<StoredObject?> GetAsync(string key, CancellationToken cancellationToken);

    /// <summary>
    /// The objects whose keys start with <paramref name="prefix"/>, in key order, all read at one revision. With a
    /// <paramref name="limit"/> above 0 at most that many come back, and <see cref="ListPage.Continue"/> reads the next
    /// page at the same revision (<see cref="GoneException"/> once that revision is compacted;
    /// <see cref="InvalidContinueException"/> for a token not made by a list of this prefix).
    /// </summary>
    Task<ListPage> ListAsync(string prefix, int limit, string? continueToken, CancellationToken cancellationToken);

    /// <summary>
    /// Every change to keys under <paramref name="prefix"/> with a revision above <paramref name="fromRevision"/>, in
    /// revision order, each exactly once, then the changes as they happen, until cancelled. Watching from the
    /// <see cref="ListPage.Revision"/> of a list misses nothing and repeats nothing. Enumeration throws
    /// <see cref="GoneException"/> when <paramref name="fromRevision"/> is before the compacted revision, and
    /// <see cref="WatcherTooSlowException"/> (after the events it holds) when the watcher falls so far behind that its
    /// buffer fills: writers and other watchers never wait for a slow watcher.
    /// </summary>
    IAsyncEnumerable<WatchEvent> WatchAsync(string prefix, long fromRevision, CancellationToken cancellationToken);

    /// <summary>
    /// Forgets the history before <paramref name="revision"/>: reads at <paramref name="revision"/> or later still
    /// see everything; earlier ones are <see cref="GoneException"/>. Compacting at or before an earlier compaction does
    /// nothing; a revision after the current one is an <see cref="ArgumentOutOfRangeException"/>.
    /// </summary>
    Task CompactAsync(long revision, CancellationToken cancellationToken);
}
