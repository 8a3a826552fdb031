using System.Text;
using System.Text.Json;

namespace Palisade.Store;

/// <summary>
/// Backs a store up to a stream as a snapshot at one revision, and restores such a snapshot into an empty store of
/// either backend (the library side of <c>palisade backup</c> / <c>palisade restore</c>).
/// </summary>
/// <remarks>
/// The format is JSON lines: a header <c>{"format":"palisade-store-backup/v1","revision":R}</c>, one line per object
/// <c>{"key":K,"value":BASE64}</c> in key order, and a trailer <c>{"objects":N}</c>, so a truncated file is refused.
/// Restored objects get the new store's revisions (as objects re-created in another Kubernetes cluster do): clients
/// relist after a restore.
/// </remarks>
public static class StoreBackup
{
    private const string Format = "palisade-store-backup/v1";

    /// <summary>Writes every object of <paramref name="store"/> at one revision; returns that revision and the object count.</summary>
    /// <param name="pageSize">Objects read per list page (all pages read at the first page's revision).</param>
    public static async Task<BackupSummary> WriteAsync(IRevisionedStore store, Stream output, CancellationToken cancellationToken, int pageSize = 500)
    {
        await using var writer = new StreamWriter(output, new UTF8Encoding(false), leaveOpen: true) { NewLine = "\n" };
        string? token = null;
        long revision = 0;
        var count = 0;
        do
        {
            var page = await store.ListAsync("", pageSize, token, cancellationToken).ConfigureAwait(false);
            if (revision == 0)
            {
                revision = page.Revision;
                await writer.WriteLineAsync(JsonSerializer.Serialize(new Header(Format, revision), BackupJson.Default.Header)).ConfigureAwait(false);
            }

            foreach (var o in page.Items)
            {
                await writer.WriteLineAsync(JsonSerializer.Serialize(new Entry(o.Key, o.Value), BackupJson.Default.Entry)).ConfigureAwait(false);
                count++;
            }

            token = page.Continue;
        }
        while (token is not null);

        await writer.WriteLineAsync(JsonSerializer.Serialize(new Trailer(count), BackupJson.Default.Trailer)).ConfigureAwait(false);
        return new BackupSummary(revision, count);
    }

    /// <summary>
    /// Restores a backup into <paramref name="store"/>, which must hold no object; the whole backup is read and checked
    /// before the first write. Returns the number of objects restored.
    /// </summary>
    /// <exception cref="InvalidDataException">The stream is not a whole backup (the message says where it breaks).</exception>
    /// <exception cref="InvalidOperationException">The store is not empty.</exception>
    public static async Task<int> RestoreAsync(Stream input, IRevisionedStore store, CancellationToken cancellationToken)
    {
        var entries = await ReadAsync(input, cancellationToken).ConfigureAwait(false);
        var existing = await store.ListAsync("", 1, null, cancellationToken).ConfigureAwait(false);
        if (existing.Items.Count > 0)
        {
            throw new InvalidOperationException($"the store holds objects ({existing.Items[0].Key}, ...): restore only into an empty store");
        }

        foreach (var e in entries)
        {
            await store.CreateAsync(e.Key, e.Value, cancellationToken).ConfigureAwait(false);
        }

        return entries.Count;
    }

    private static async Task<List<Entry>> ReadAsync(Stream input, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(input, Encoding.UTF8, leaveOpen: true);
        var header = Parse(await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false), 1, BackupJson.Default.Header);
        if (header.Format != Format)
        {
            throw new InvalidDataException($"line 1: the format is '{header.Format}', expected '{Format}'");
        }

        var entries = new List<Entry>();
        for (var line = 2; ; line++)
        {
            var text = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidDataException($"line {line}: the backup ends without its trailer (truncated after {entries.Count} objects)");
            if (text.StartsWith("{\"objects\":", StringComparison.Ordinal))
            {
                var trailer = Parse(text, line, BackupJson.Default.Trailer);
                if (trailer.Objects != entries.Count)
                {
                    throw new InvalidDataException($"line {line}: the trailer counts {trailer.Objects} objects, the backup holds {entries.Count}");
                }

                return entries;
            }

            var entry = Parse(text, line, BackupJson.Default.Entry);
            if (string.IsNullOrEmpty(entry.Key) || entry.Value is null)
            {
                throw new InvalidDataException($"line {line}: an object needs a key and a value");
            }

            entries.Add(entry);
        }
    }

    private static T Parse<T>(string? text, int line, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        try
        {
            return JsonSerializer.Deserialize(text ?? throw new InvalidDataException($"line {line}: the backup is empty"), type)
                ?? throw new InvalidDataException($"line {line}: expected a {typeof(T).Name.ToLowerInvariant()}, found null");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"line {line}: not a {typeof(T).Name.ToLowerInvariant()} of a backup: {e.Message}", e);
        }
    }

    internal sealed record Header(string Format, long Revision);

    internal sealed record Entry(string Key, byte[] Value);

    internal sealed record Trailer(int Objects);
}
