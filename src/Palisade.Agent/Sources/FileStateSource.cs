using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;

namespace Palisade.Agent.Sources;

/// <summary>
/// Desired state from manifest files and directories: the state as it is, then a new state whenever the files change
/// (a file watcher for speed, polling for what the watcher misses), once a burst of changes has settled.
/// </summary>
public sealed partial class FileStateSource(IReadOnlyList<string> paths, TimeSpan debounce, TimeSpan poll, ILogger<FileStateSource> logger, TimeProvider time)
    : IDesiredStateSource
{
    /// <summary>The longest a burst of changes is waited for to end before its state is loaded anyway.</summary>
    private static readonly TimeSpan MaxSettle = TimeSpan.FromMilliseconds(100);

    private readonly ManifestStateLoader loader = new(paths, debounce, time);
    private long revision;

    public FileStateSource(AgentOptions options, ILogger<FileStateSource> logger, TimeProvider time)
        : this(options.Paths, options.Debounce, options.Poll, logger, time)
    {
        ArgumentNullException.ThrowIfNull(options);
    }

    public async IAsyncEnumerable<DesiredState> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var changed = new SemaphoreSlim(0);
        long firstChange = 0;
        void Changed()
        {
            Interlocked.CompareExchange(ref firstChange, time.GetUtcNow().UtcTicks, 0);
            changed.Release();
        }

        using var watchers = new Watchers(paths, Changed);
        var stamps = FileStamps.Read(paths);
        using var stopPolling = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var polling = PollAsync(() => stamps, changed, stopPolling.Token);
        try
        {
            if (await LoadAsync(null, cancellationToken).ConfigureAwait(false) is { } initial)
            {
                yield return initial;
            }

            while (true)
            {
                await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
                await SettleAsync(changed, cancellationToken).ConfigureAwait(false);
                stamps = FileStamps.Read(paths);
                var noticed = Interlocked.Exchange(ref firstChange, 0);
                DateTimeOffset? changedAt = noticed == 0 ? null : new DateTimeOffset(noticed, TimeSpan.Zero);
                if (await LoadAsync(changedAt, cancellationToken).ConfigureAwait(false) is { } next)
                {
                    yield return next;
                }
            }
        }
        finally
        {
            await stopPolling.CancelAsync().ConfigureAwait(false);
            try
            {
                await polling.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    /// <summary>The state the files hold now; null (and the reasons logged) when they have errors.</summary>
    private async Task<DesiredState?> LoadAsync(DateTimeOffset? changedAt, CancellationToken cancellationToken)
    {
        var loaded = await loader.LoadAsync(cancellationToken).ConfigureAwait(false);
        if (!loaded.Succeeded)
        {
            foreach (var d in loaded.Errors.Take(20))
            {
                LogDiagnostic(d.ToString());
            }

            LogKept();
            return null;
        }

        return new DesiredState(++revision, loaded.Cluster, loaded.Policies, changedAt);
    }

    /// <summary>Wakes the loop when the files differ from what was last loaded: the watcher can miss events.</summary>
    private async Task PollAsync(Func<Dictionary<string, FileStamps.Stamp>> loaded, SemaphoreSlim changed, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(poll, time);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!FileStamps.Same(FileStamps.Read(paths), loaded()))
            {
                changed.Release();
            }
        }
    }

    /// <summary>Waits until the files are quiet: no change for one debounce period (bounded by <see cref="MaxSettle"/>).</summary>
    private async Task SettleAsync(SemaphoreSlim changed, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        do
        {
            while (changed.CurrentCount > 0)
            {
                await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
            }

            await Task.Delay(debounce, time, cancellationToken).ConfigureAwait(false);
        }
        while (changed.CurrentCount > 0 && time.GetElapsedTime(started) < MaxSettle);

        while (changed.CurrentCount > 0)
        {
            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Diagnostic}")]
    private partial void LogDiagnostic(string diagnostic);

    [LoggerMessage(Level = LogLevel.Error, Message = "the manifests have errors; the rules in force are kept")]
    private partial void LogKept();

    /// <summary>A file watcher on every watched directory (and the directory of every watched file).</summary>
    private sealed class Watchers : IDisposable
    {
        private readonly List<FileSystemWatcher> all = [];

        public Watchers(IReadOnlyList<string> paths, Action changed)
        {
            foreach (var path in paths)
            {
                var full = Path.GetFullPath(path);
                var dir = Directory.Exists(full) ? full : Path.GetDirectoryName(full);
                if (dir is null || !Directory.Exists(dir))
                {
                    continue;
                }

                var watcher = new FileSystemWatcher(dir) { IncludeSubdirectories = Directory.Exists(full), EnableRaisingEvents = true };
                watcher.Changed += (_, _) => changed();
                watcher.Created += (_, _) => changed();
                watcher.Deleted += (_, _) => changed();
                watcher.Renamed += (_, _) => changed();
                all.Add(watcher);
            }
        }

        public void Dispose()
        {
            foreach (var w in all)
            {
                w.Dispose();
            }
        }
    }
}
