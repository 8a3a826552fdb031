using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Data.Sqlite;

namespace Palisade.Store;

/// <summary>
/// The embedded store: one SQLite file under the data directory (WAL, synchronous=FULL, so an acknowledged write
/// survives a crash), every version of every object kept in one table keyed by revision until compaction.
/// </summary>
/// <remarks>
/// Table <c>kv</c> holds one row per write: its revision, the key (UTF-8 bytes, so keys sort as etcd sorts them), the
/// object's create revision, the value, and for a deletion a tombstone holding the deleted object and its last
/// revision. Reading at revision R takes, per key, the last row at or before R. Table <c>meta</c> holds the current
/// and the compacted revision.
/// </remarks>
public sealed class SqliteStore : IRevisionedStore
{
    /// <summary>The store's file inside the data directory.</summary>
    public const string FileName = "store.db";

    private const int HistoryWindow = 1024;

    private readonly string _connectionString;
    private readonly SqliteConnection _writerConnection;
    private readonly SqliteWriter _writer;
    private readonly WatchHub _hub;
    private readonly StoreOptions _options;
    private readonly FileStream _lock;
    private int _disposed;

    private SqliteStore(string connectionString, SqliteConnection writerConnection, long revision, long compacted, StoreOptions options, FileStream lockFile)
    {
        _lock = lockFile;
        _connectionString = connectionString;
        _writerConnection = writerConnection;
        _options = options;
        _hub = new WatchHub(revision);
        _writer = new SqliteWriter(writerConnection, _hub, revision, compacted);
    }

    /// <summary>The lock file a process holds while it has the store open.</summary>
    public const string LockFileName = "store.lock";

    /// <summary>
    /// Opens (creating when absent) the store under <paramref name="dataDirectory"/>. One process at a time: the writer
    /// keeps the revision in memory, so a second writer would reuse revisions.
    /// </summary>
    /// <exception cref="IOException">Another process (or another open store in this one) has the directory's store open.</exception>
    public static SqliteStore Open(string dataDirectory, StoreOptions? options = null)
    {
        Directory.CreateDirectory(dataDirectory);
        var lockFile = TakeLock(dataDirectory);
        try
        {
            return Open(dataDirectory, options, lockFile);
        }
        catch
        {
            lockFile.Dispose();
            throw;
        }
    }

    private static FileStream TakeLock(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, LockFileName);
        try
        {
            // FileShare.None is an exclusive advisory lock (flock) on Linux, released when the process ends however it ends.
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new IOException($"the store in {dataDirectory} is in use by another process (a running 'palisade server'?); stop it first", e);
        }
    }

    private static SqliteStore Open(string dataDirectory, StoreOptions? options, FileStream lockFile)
    {
        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(dataDirectory, FileName),
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
        }.ToString();
        var connection = new SqliteConnection(connectionString);
        connection.Open();
        Execute(connection, """
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = FULL;
            PRAGMA busy_timeout = 10000;
            CREATE TABLE IF NOT EXISTS kv (
                rev INTEGER PRIMARY KEY,
                key BLOB NOT NULL,
                create_rev INTEGER NOT NULL,
                value BLOB NOT NULL,
                deleted INTEGER NOT NULL,
                prev_rev INTEGER);
            CREATE INDEX IF NOT EXISTS kv_key_rev ON kv (key, rev);
            CREATE TABLE IF NOT EXISTS meta (
                id INTEGER PRIMARY KEY CHECK (id = 0),
                revision INTEGER NOT NULL,
                compacted INTEGER NOT NULL);
            INSERT OR IGNORE INTO meta (id, revision, compacted) VALUES (0, 1, 0);
            """);
        var (revision, compacted) = ReadMeta(connection, null);
        return new SqliteStore(connectionString, connection, revision, compacted, options ?? StoreOptions.Default, lockFile);
    }

    public Task<long> GetRevisionAsync(CancellationToken cancellationToken)
    {
        using var connection = OpenReader();
        return Task.FromResult(ReadMeta(connection, null).Revision);
    }

    public Task<StoredObject> CreateAsync(string key, byte[] value, CancellationToken cancellationToken) =>
        _writer.SubmitAsync<StoredObject>(w => Written(w.Create(key, value), WatchEventType.Added), cancellationToken);

    public Task<StoredObject> UpdateAsync(string key, byte[] value, long? expectedRevision, CancellationToken cancellationToken) =>
        _writer.SubmitAsync<StoredObject>(w => Written(w.Update(key, value, expectedRevision), WatchEventType.Modified), cancellationToken);

    public Task<Deletion> DeleteAsync(string key, long? expectedRevision, CancellationToken cancellationToken) =>
        _writer.SubmitAsync<Deletion>(
            w =>
            {
                var deletion = w.Delete(key, expectedRevision);
                return new SqliteWriter.Applied(deletion, new WatchEvent(WatchEventType.Deleted, deletion.Object, deletion.Revision));
            },
            cancellationToken);

    public Task CompactAsync(long revision, CancellationToken cancellationToken) =>
        _writer.SubmitAsync<long>(w => new SqliteWriter.Applied(w.Compact(revision), null), cancellationToken);

    public Task<StoredObject?> GetAsync(string key, CancellationToken cancellationToken)
    {
        using var connection = OpenReader();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT rev, create_rev, value, deleted FROM kv WHERE key = $key ORDER BY rev DESC LIMIT 1";
        command.Parameters.AddWithValue("$key", Encoding.UTF8.GetBytes(key));
        using var reader = command.ExecuteReader();
        StoredObject? found = reader.Read() && reader.GetInt64(3) == 0
            ? new StoredObject(key, (byte[])reader.GetValue(2), reader.GetInt64(1), reader.GetInt64(0))
            : null;
        return Task.FromResult(found);
    }

    public Task<ListPage> ListAsync(string prefix, int limit, string? continueToken, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var token = continueToken is null ? (ContinueToken?)null : ContinueToken.Decode(continueToken, prefix);
        using var connection = OpenReader();
        // One read transaction: the revision and the rows come from the same snapshot.
        using var transaction = connection.BeginTransaction(deferred: true);
        var (revision, compacted) = ReadMeta(connection, transaction);
        var at = token?.Revision ?? revision;
        if (at < compacted)
        {
            throw new GoneException(at, compacted);
        }

        if (at > revision)
        {
            throw new InvalidContinueException($"the continue token reads at revision {at}, after the store's revision {revision}");
        }

        var end = StoreKeys.PrefixEnd(prefix);
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"""
            SELECT k.key, k.rev, k.create_rev, k.value FROM
                (SELECT key, MAX(rev) AS rev FROM kv
                 WHERE key {(token is null ? ">=" : ">")} $start {(end.Length > 0 ? "AND key < $end" : "")} AND rev <= $at
                 GROUP BY key) AS last
            JOIN kv AS k ON k.rev = last.rev
            WHERE k.deleted = 0
            ORDER BY k.key
            {(limit > 0 ? "LIMIT $limit" : "")}
            """;
        command.Parameters.AddWithValue("$start", Encoding.UTF8.GetBytes(token?.LastKey ?? prefix));
        command.Parameters.AddWithValue("$end", end);
        command.Parameters.AddWithValue("$at", at);
        command.Parameters.AddWithValue("$limit", limit + 1);
        var items = new List<StoredObject>();
        string? next = null;
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                if (limit > 0 && items.Count == limit)
                {
                    next = new ContinueToken(at, items[^1].Key).Encode();
                    break;
                }

                items.Add(new StoredObject(
                    Encoding.UTF8.GetString((byte[])reader.GetValue(0)), (byte[])reader.GetValue(3), reader.GetInt64(2), reader.GetInt64(1)));
            }
        }

        transaction.Commit();
        return Task.FromResult(new ListPage(items, at, next));
    }

    public async IAsyncEnumerable<WatchEvent> WatchAsync(
        string prefix, long fromRevision, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fromRevision);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var queue = new WatcherQueue(prefix, _options.WatchBuffer);
        // Everything after `published` reaches the queue; everything up to it is committed, so history covers it.
        var published = _hub.Subscribe(queue);
        try
        {
            var after = fromRevision;
            do
            {
                var to = Math.Min(published, after + HistoryWindow);
                foreach (var e in ReadHistory(prefix, after, to))
                {
                    yield return e;
                }

                after = to;
            }
            while (after < published);

            await foreach (var e in queue.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                if (e.Revision > fromRevision)
                {
                    yield return e;
                }
            }
        }
        finally
        {
            _hub.Unsubscribe(queue);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _writer.DisposeAsync().ConfigureAwait(false);
        _hub.EndAll(new ObjectDisposedException(nameof(SqliteStore)));
        SqliteConnection.ClearPool(_writerConnection);
        await _writerConnection.DisposeAsync().ConfigureAwait(false);
        await _lock.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>The changes under <paramref name="prefix"/> with revisions in (after, to], or Gone when compaction took some.</summary>
    private List<WatchEvent> ReadHistory(string prefix, long after, long to)
    {
        using var connection = OpenReader();
        using var transaction = connection.BeginTransaction(deferred: true);
        var (_, compacted) = ReadMeta(connection, transaction);
        if (after < compacted)
        {
            throw new GoneException(after, compacted);
        }

        var events = new List<WatchEvent>();
        if (after >= to)
        {
            return events;
        }

        var end = StoreKeys.PrefixEnd(prefix);
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"""
            SELECT rev, key, create_rev, value, deleted, prev_rev FROM kv
            WHERE rev > $after AND rev <= $to AND key >= $start {(end.Length > 0 ? "AND key < $end" : "")}
            ORDER BY rev
            """;
        command.Parameters.AddWithValue("$after", after);
        command.Parameters.AddWithValue("$to", to);
        command.Parameters.AddWithValue("$start", Encoding.UTF8.GetBytes(prefix));
        command.Parameters.AddWithValue("$end", end);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var rev = reader.GetInt64(0);
            var key = Encoding.UTF8.GetString((byte[])reader.GetValue(1));
            var create = reader.GetInt64(2);
            var value = (byte[])reader.GetValue(3);
            events.Add(reader.GetInt64(4) != 0
                ? new WatchEvent(WatchEventType.Deleted, new StoredObject(key, value, create, reader.GetInt64(5)), rev)
                : new WatchEvent(create == rev ? WatchEventType.Added : WatchEventType.Modified, new StoredObject(key, value, create, rev), rev));
        }

        return events;
    }

    private static SqliteWriter.Applied Written(StoredObject stored, WatchEventType type) =>
        new(stored, new WatchEvent(type, stored, stored.ModRevision));

    private SqliteConnection OpenReader()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }

    private static (long Revision, long Compacted) ReadMeta(SqliteConnection connection, SqliteTransaction? transaction)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT revision, compacted FROM meta WHERE id = 0";
        using var reader = command.ExecuteReader();
        reader.Read();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
