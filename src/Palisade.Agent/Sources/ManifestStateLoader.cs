using Palisade.Manifests;

namespace Palisade.Agent.Sources;

/// <summary>
/// Reads the manifests into one consistent state: a load that may have met a file half rewritten is done again.
/// Files already parsed and unchanged are not parsed again.
/// </summary>
internal sealed class ManifestStateLoader(IReadOnlyList<string> paths, TimeSpan retryDelay, TimeProvider time)
{
    /// <summary>How many times a load that met files in change is tried before the last read is taken.</summary>
    public const int MaxAttempts = 21;

    private readonly ParseCache parseCache = new();

    /// <summary>The stamps the last accepted load read, to tell a half-rewritten (emptied) file.</summary>
    private Dictionary<string, FileStamps.Stamp> loadedStamps = new(StringComparer.Ordinal);

    /// <summary>
    /// Loads the manifests. A file rewritten in place is empty between its truncation and its write: a load that may
    /// have read it then (a file that had content and is now empty, or any file changed while loading) is done again,
    /// so that no moment's half-written state is enforced. An intentionally emptied file is taken after a few tries.
    /// </summary>
    public async Task<LoadResult> LoadAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var before = FileStamps.Read(paths);
            var loaded = new ManifestLoader().Load(paths, parseCache);
            var after = FileStamps.Read(paths);
            var emptied = after.Any(kv => kv.Value.Length == 0 && loadedStamps.TryGetValue(kv.Key, out var was) && was.Length > 0);
            if ((FileStamps.Same(before, after) && !emptied) || attempt >= MaxAttempts)
            {
                loadedStamps = after;
                return loaded;
            }

            await Task.Delay(retryDelay, time, cancellationToken).ConfigureAwait(false);
        }
    }
}
