using System.Runtime.CompilerServices;
using System.Text;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Mvccpb;

namespace Palisade.Store;

/// <summary>
/// The store on an etcd v3 cluster (<c>etcd://HOST:PORT</c>), for servers that scale out: etcd's revision is the
/// store's, an object's mod_revision its resourceVersion; writes are transactions comparing create_revision (create)
/// or mod_revision (expected revision); lists read at one revision; watches start at a revision.
/// </summary>
public sealed class EtcdStore : IRevisionedStore
{
    private const string Compacted = "required revision has been compacted";
    private const string Future = "required revision is a future revision";

    private readonly GrpcChannel _channel;
    private readonly KV.KVClient _kv;
    private readonly Watch.WatchClient _watch;
    private readonly StoreOptions _options;

    private EtcdStore(GrpcChannel channel, StoreOptions options)
    {
        _channel = channel;
        _kv = new KV.KVClient(channel);
        _watch = new Watch.WatchClient(channel);
        _options = options;
    }

    /// <summary>The etcd endpoint this store talks to, as given.</summary>
    public required Uri Endpoint { get; init; }

    /// <summary>A store on the etcd at <paramref name="endpoint"/> (<c>etcd://HOST:PORT</c>); connects on first use.</summary>
    public static EtcdStore Connect(string endpoint, StoreOptions? options = null)
    {
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme != "etcd" || uri.Port <= 0
            || uri.AbsolutePath is not ("" or "/"))
        {
            throw new ArgumentException($"'{endpoint}' is not an etcd endpoint: expected etcd://HOST:PORT", nameof(endpoint));
        }

        var channel = GrpcChannel.ForAddress(new UriBuilder("http", uri.Host, uri.Port).Uri);
        return new EtcdStore(channel, options ?? StoreOptions.Default) { Endpoint = uri };
    }

    public async Task<long> GetRevisionAsync(CancellationToken cancellationToken)
    {
        var response = await _kv.RangeAsync(new RangeRequest { Key = ByteString.CopyFrom(0), CountOnly = true }, cancellationToken: cancellationToken);
        return response.Header.Revision;
    }

    public async Task<StoredObject> CreateAsync(string key, byte[] value, CancellationToken cancellationToken)
    {
        var k = Key(key);
        var txn = new TxnRequest();
        txn.Compare.Add(new Compare { Key = k, Target = Compare.Types.CompareTarget.Create, Result = Compare.Types.CompareResult.Equal, CreateRevision = 0 });
        txn.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = k, Value = ByteString.CopyFrom(value) } });
        txn.Failure.Add(new RequestOp { RequestRange = new RangeRequest { Key = k } });
        var response = await _kv.TxnAsync(txn, cancellationToken: cancellationToken);
        if (!response.Succeeded)
        {
            throw new AlreadyExistsException(key, response.Responses[0].ResponseRange.Kvs[0].ModRevision);
        }

        var revision = response.Header.Revision;
        return new StoredObject(key, value, revision, revision);
    }

    public async Task<StoredObject> UpdateAsync(string key, byte[] value, long? expectedRevision, CancellationToken cancellationToken)
    {
        var k = Key(key);
        var txn = Expecting(k, expectedRevision);
        txn.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = k, Value = ByteString.CopyFrom(value), PrevKv = true } });
        var response = await _kv.TxnAsync(txn, cancellationToken: cancellationToken);
        Refused(key, expectedRevision, response);
        var previous = response.Responses[0].ResponsePut.PrevKv;
        return new StoredObject(key, value, previous.CreateRevision, response.Header.Revision);
    }

    public async Task<Deletion> DeleteAsync(string key, long? expectedRevision, CancellationToken cancellationToken)
    {
        var k = Key(key);
        var txn = Expecting(k, expectedRevision);
        txn.Success.Add(new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = k, PrevKv = true } });
        var response = await _kv.TxnAsync(txn, cancellationToken: cancellationToken);
        Refused(key, expectedRevision, response);
        return new Deletion(Object(response.Responses[0].ResponseDeleteRange.PrevKvs[0]), response.Header.Revision);
    }

    public async Task<StoredObject?> GetAsync(string key, CancellationToken cancellationToken)
    {
        var response = await _kv.RangeAsync(new RangeRequest { Key = Key(key) }, cancellationToken: cancellationToken);
        return response.Kvs.Count == 0 ? null : Object(response.Kvs[0]);
    }

    public async Task<ListPage> ListAsync(string prefix, int limit, string? continueToken, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var token = continueToken is null ? (ContinueToken?)null : ContinueToken.Decode(continueToken, prefix);
        var request = new RangeRequest
        {
            // A continued list starts just after the last key returned: the key followed by a zero byte.
            Key = token is { } t ? Key(t.LastKey + "\0") : RangeStart(prefix),
            RangeEnd = RangeEnd(prefix),
            Revision = token?.Revision ?? 0,
            Limit = limit,
        };
        RangeResponse response;
        try
        {
            response = await _kv.RangeAsync(request, cancellationToken: cancellationToken);
        }
        catch (RpcException e) when (e.Status.Detail.Contains(Compacted, StringComparison.Ordinal))
        {
            throw new GoneException(request.Revision, 0, e);
        }
        catch (RpcException e) when (e.Status.Detail.Contains(Future, StringComparison.Ordinal))
        {
            throw new InvalidContinueException($"the continue token reads at revision {request.Revision}, after the store's revision");
        }

        var revision = token?.Revision ?? response.Header.Revision;
        var items = response.Kvs.Select(Object).ToList();
        var next = response.More && items.Count > 0 ? new ContinueToken(revision, items[^1].Key).Encode() : null;
        return new ListPage(items, revision, next);
    }

    public async IAsyncEnumerable<WatchEvent> WatchAsync(
        string prefix, long fromRevision, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fromRevision);
        var queue = new WatcherQueue(prefix, _options.WatchBuffer);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var call = _watch.Watch(cancellationToken: stop.Token);
        // etcd refuses a start before its compaction revision. Starting at fromRevision itself (and skipping its event)
        // makes that the contract's rule: Gone exactly when fromRevision is before the compacted revision.
        await call.RequestStream.WriteAsync(
            new WatchRequest
            {
                CreateRequest = new WatchCreateRequest
                {
                    Key = RangeStart(prefix),
                    RangeEnd = RangeEnd(prefix),
                    StartRevision = Math.Max(fromRevision, 1),
                    PrevKv = true,
                },
            },
            cancellationToken);
        var pump = PumpAsync(call.ResponseStream, queue, fromRevision, stop.Token);
        try
        {
            await foreach (var e in queue.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return e;
            }
        }
        finally
        {
            await stop.CancelAsync();
            await pump.ConfigureAwait(false);
        }
    }

    public async Task CompactAsync(long revision, CancellationToken cancellationToken)
    {
        try
        {
            // Physical: the call returns once the history is gone, so reads after it see the compaction.
            await _kv.CompactAsync(new CompactionRequest { Revision = revision, Physical = true }, cancellationToken: cancellationToken);
        }
        catch (RpcException e) when (e.Status.Detail.Contains(Compacted, StringComparison.Ordinal))
        {
            // Compacted at or after this revision already: nothing to do.
        }
        catch (RpcException e) when (e.Status.Detail.Contains(Future, StringComparison.Ordinal))
        {
            throw new ArgumentOutOfRangeException(nameof(revision), revision, "the store cannot be compacted after its current revision");
        }
    }

    public ValueTask DisposeAsync()
    {
        _channel.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Moves etcd's watch responses into the watcher's queue until the watch ends, fails, or is stopped.</summary>
    private static async Task PumpAsync(IAsyncStreamReader<WatchResponse> responses, WatcherQueue queue, long fromRevision, CancellationToken stop)
    {
        try
        {
            while (await responses.MoveNext(stop).ConfigureAwait(false))
            {
                var response = responses.Current;
                if (response.CompactRevision > 0)
                {
                    queue.Fail(new GoneException(fromRevision, response.CompactRevision));
                    return;
                }

                if (response.Canceled)
                {
                    queue.Fail(new IOException($"etcd cancelled the watch: {response.CancelReason}"));
                    return;
                }

                foreach (var change in response.Events)
                {
                    var e = Event(change);
                    if (e.Revision > fromRevision && !queue.Offer(e))
                    {
                        return;
                    }
                }
            }

            queue.Fail(new IOException("etcd ended the watch stream"));
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && stop.IsCancellationRequested)
        {
            // The reader stopped watching.
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The reader stopped watching.
        }
        catch (RpcException e)
        {
            queue.Fail(new IOException($"the watch of etcd failed: {e.Status.Detail}", e));
        }
    }

    private static WatchEvent Event(Mvccpb.Event change)
    {
        if (change.Type == Mvccpb.Event.Types.EventType.Delete)
        {
            return new WatchEvent(WatchEventType.Deleted, Object(change.PrevKv), change.Kv.ModRevision);
        }

        var o = Object(change.Kv);
        return new WatchEvent(o.CreateRevision == o.ModRevision ? WatchEventType.Added : WatchEventType.Modified, o, o.ModRevision);
    }

    /// <summary>A transaction whose guard is the key existing, at <paramref name="expected"/> when given.</summary>
    private static TxnRequest Expecting(ByteString key, long? expected)
    {
        var txn = new TxnRequest();
        txn.Compare.Add(expected is { } revision
            ? new Compare { Key = key, Target = Compare.Types.CompareTarget.Mod, Result = Compare.Types.CompareResult.Equal, ModRevision = revision }
            : new Compare { Key = key, Target = Compare.Types.CompareTarget.Create, Result = Compare.Types.CompareResult.Greater, CreateRevision = 0 });
        txn.Failure.Add(new RequestOp { RequestRange = new RangeRequest { Key = key } });
        return txn;
    }

    /// <summary>Says why a guarded transaction failed: the key is absent, or at another revision than expected.</summary>
    private static void Refused(string key, long? expected, TxnResponse response)
    {
        if (response.Succeeded)
        {
            return;
        }

        var found = response.Responses[0].ResponseRange.Kvs;
        if (found.Count == 0)
        {
            throw new NotFoundException(key);
        }

        throw new ConflictException(key, expected ?? 0, found[0].ModRevision);
    }

    private static StoredObject Object(KeyValue kv) =>
        new(kv.Key.ToStringUtf8(), kv.Value.ToByteArray(), kv.CreateRevision, kv.ModRevision);

    private static ByteString Key(string key) => ByteString.CopyFrom(Encoding.UTF8.GetBytes(key));

    // etcd has no empty key: the whole key space is the range from the zero byte to the end ("\0").
    private static ByteString RangeStart(string prefix) => prefix.Length == 0 ? ByteString.CopyFrom(0) : Key(prefix);

    private static ByteString RangeEnd(string prefix) =>
        StoreKeys.PrefixEnd(prefix) is { Length: > 0 } end ? ByteString.CopyFrom(end) : ByteString.CopyFrom(0);
}
