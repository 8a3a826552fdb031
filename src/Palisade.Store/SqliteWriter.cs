using System.Text;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace Palisade.Store;

/// <summary>
/// The SQLite store's one writer: takes writes from any number of callers, applies them in order, each at the next
/// revision, and commits them in batches (group commit: one fsync for every write waiting), acknowledging a write
/// only once its transaction is durable and its event handed to the watchers.
/// </summary>
internal sealed class SqliteWriter : IAsyncDisposable
{
    private const int MaxBatch = 512;

    private readonly SqliteConnection _connection;
    private readonly WatchHub _hub;
    private readonly Channel<Write> _queue = Channel.CreateUnbounded<Write>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _loop;
    private readonly SqliteCommand _latest;
    private readonly SqliteCommand _insert;
    private readonly SqliteCommand _setRevision;
    private long _revision;
    private long _compacted;
    private SqliteTransaction? _transaction;

    public SqliteWriter(SqliteConnection connection, WatchHub hub, long revision, long compacted)
    {
        _connection = connection;
        _hub = hub;
        _revision = revision;
        _compacted = compacted;
        _latest = Command("SELECT rev, create_rev, value, deleted FROM kv WHERE key = $key ORDER BY rev DESC LIMIT 1", "$key");
        _insert = Command(
            "INSERT INTO kv (rev, key, create_rev, value, deleted, prev_rev) VALUES ($rev, $key, $create, $value, $deleted, $prev)",
            "$rev", "$key", "$create", "$value", "$deleted", "$prev");
        _setRevision = Command("UPDATE meta SET revision = $rev, compacted = $compacted WHERE id = 0", "$rev", "$compacted");
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Queues a write; completes once it is durable, or with the error that refused it.</summary>
    public async Task<T> SubmitAsync<T>(Func<SqliteWriter, Applied> apply, CancellationToken cancellationToken)
    {
        var write = new Write(apply);
        ObjectDisposedException.ThrowIf(!_queue.Writer.TryWrite(write), typeof(SqliteStore));

        // A cancelled caller stops waiting; the write itself may still land (as with any remote store).
        var result = await write.Done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        return (T)result!;
    }

    public StoredObject Create(string key, byte[] value)
    {
        var current = Latest(key);
        if (current is { Deleted: false })
        {
            throw new AlreadyExistsException(key, current.Value.Rev);
        }

        var rev = _revision + 1;
        Insert(rev, key, rev, value, deleted: false, prev: null);
        return new StoredObject(key, value, rev, rev);
    }

    public StoredObject Update(string key, byte[] value, long? expected)
    {
        var current = Live(key, expected);
        var rev = _revision + 1;
        Insert(rev, key, current.CreateRev, value, deleted: false, prev: null);
        return new StoredObject(key, value, current.CreateRev, rev);
    }

    public Deletion Delete(string key, long? expected)
    {
        var current = Live(key, expected);
        var rev = _revision + 1;
        // The tombstone keeps the deleted object, so a watch replaying history can hand it out.
        Insert(rev, key, current.CreateRev, current.Value, deleted: true, prev: current.Rev);
        return new Deletion(new StoredObject(key, current.Value, current.CreateRev, current.Rev), rev);
    }

    /// <summary>
    /// Forgets every version no read at <paramref name="revision"/> or later can see: for each key, the versions before
    /// its last one at or before the revision, and that one too when it is a deletion (etcd's compaction).
    /// </summary>
    public long Compact(long revision)
    {
        if (revision > _revision)
        {
            throw new ArgumentOutOfRangeException(nameof(revision), revision, $"the store is at revision {_revision}: it cannot be compacted after it");
        }

        if (revision <= _compacted)
        {
            return _compacted;
        }

        using var delete = _connection.CreateCommand();
        delete.Transaction = _transaction;
        delete.CommandText = """
            DELETE FROM kv WHERE rev <= $c AND (deleted = 1 OR EXISTS (
                SELECT 1 FROM kv AS later WHERE later.key = kv.key AND later.rev > kv.rev AND later.rev <= $c))
            """;
        delete.Parameters.AddWithValue("$c", revision);
        delete.ExecuteNonQuery();
        _compacted = revision;
        return revision;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
        _latest.Dispose();
        _insert.Dispose();
        _setRevision.Dispose();
    }

    private async Task RunAsync()
    {
        var batch = new List<Write>(MaxBatch);
        var events = new List<WatchEvent>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            events.Clear();
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var write))
            {
                batch.Add(write);
            }

            Commit(batch, events);
        }
    }

    private void Commit(List<Write> batch, List<WatchEvent> events)
    {
        var (revision, compacted) = (_revision, _compacted);
        try
        {
            using (var transaction = _connection.BeginTransaction())
            {
                _transaction = transaction;
                foreach (var write in batch)
                {
                    Apply(write, transaction, events);
                }

                _setRevision.Transaction = transaction;
                _setRevision.Parameters["$rev"].Value = _revision;
                _setRevision.Parameters["$compacted"].Value = _compacted;
                _setRevision.ExecuteNonQuery();
                transaction.Commit();
            }
        }
        catch (Exception e) when (e is SqliteException or InvalidOperationException or IOException)
        {
            // Nothing of the batch is durable: every write in it fails, and the revisions it took are free again.
            (_revision, _compacted) = (revision, compacted);
            foreach (var write in batch)
            {
                write.Done.TrySetException(new IOException($"the store could not commit: {e.Message}", e));
            }

            return;
        }
        finally
        {
            _transaction = null;
        }

        _hub.Publish(events, _revision);
        foreach (var write in batch)
        {
            if (write.Error is { } error)
            {
                write.Done.TrySetException(error);
            }
            else
            {
                write.Done.TrySetResult(write.Result);
            }
        }
    }

    private void Apply(Write write, SqliteTransaction transaction, List<WatchEvent> events)
    {
        _latest.Transaction = transaction;
        _insert.Transaction = transaction;
        try
        {
            var applied = write.Apply(this);
            write.Result = applied.Result;
            if (applied.Event is { } e)
            {
                _revision = e.Revision;
                events.Add(e);
            }
        }
        catch (Exception e) when (e is StoreException or ArgumentException)
        {
            // Refusals are decided before anything is written, so the batch goes on without this write.
            write.Error = e;
        }
    }

    private (long Rev, long CreateRev, byte[] Value) Live(string key, long? expected)
    {
        var current = Latest(key);
        if (current is not { Deleted: false } live)
        {
            throw new NotFoundException(key);
        }

        if (expected is { } e && e != live.Rev)
        {
            throw new ConflictException(key, e, live.Rev);
        }

        return (live.Rev, live.CreateRev, live.Value);
    }

    private (long Rev, long CreateRev, byte[] Value, bool Deleted)? Latest(string key)
    {
        _latest.Parameters["$key"].Value = Encoding.UTF8.GetBytes(key);
        using var reader = _latest.ExecuteReader();
        if (!reader.Read())
        {
            return null;
        }

        return (reader.GetInt64(0), reader.GetInt64(1), (byte[])reader.GetValue(2), reader.GetInt64(3) != 0);
    }

    private void Insert(long rev, string key, long create, byte[] value, bool deleted, long? prev)
    {
        _insert.Parameters["$rev"].Value = rev;
        _insert.Parameters["$key"].Value = Encoding.UTF8.GetBytes(key);
        _insert.Parameters["$create"].Value = create;
        _insert.Parameters["$value"].Value = value;
        _insert.Parameters["$deleted"].Value = deleted ? 1 : 0;
        _insert.Parameters["$prev"].Value = prev is { } p ? p : DBNull.Value;
        _insert.ExecuteNonQuery();
    }

    private SqliteCommand Command(string sql, params string[] parameters)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var p in parameters)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = p });
        }

        return command;
    }

    /// <summary>What one write did: the value its caller gets, and the change watchers see (none for a compaction).</summary>
    public readonly record struct Applied(object Result, WatchEvent? Event);

    private sealed class Write(Func<SqliteWriter, Applied> apply)
    {
        public Func<SqliteWriter, Applied> Apply { get; } = apply;

        public TaskCompletionSource<object?> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public object? Result { get; set; }

        public Exception? Error { get; set; }
    }
}
