using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Encodings.Web;
using System.Text.Json;
using Palisade.Dataplane.Nftables;
using Palisade.Linux;
using Palisade.Dataplane.Nftables.Model;
using Palisade.Engine.Calculation;
using Palisade.Manifests;
using Palisade.Model.Cluster;
using Palisade.Model.Policies;

namespace Palisade.Agent;

/// <summary>How an agent runs: which manifests, which node, where its pods' interfaces are, where flows go.</summary>
public sealed record AgentOptions(IReadOnlyList<string> Paths, string Node, Func<IReadOnlyList<RulesetRenderer.LocalEndpoint>> Locals)
{
    /// <summary>The network namespace the node lives in (null: the process's own).</summary>
    public string? NetworkNamespace { get; init; }

    /// <summary>How long to wait for a burst of file changes to settle before reloading.</summary>
    public TimeSpan Debounce { get; init; } = TimeSpan.FromMilliseconds(2);

    /// <summary>How often files are checked for changes the file watcher may have missed.</summary>
    public TimeSpan Poll { get; init; } = TimeSpan.FromMilliseconds(500);
}

/// <summary>
/// The per-node agent: watches the manifests, keeps the engine current with their differences, renders the node's
/// endpoints into one nftables table and applies only what changed, as one atomic transaction through one long-lived
/// libnftables context; writes a flow record for every new connection the ruleset logs. Killing it leaves the rules in
/// force; a new agent replaces them atomically.
/// </summary>
public sealed class NodeAgent : IDisposable
{
    private readonly AgentOptions options;
    private readonly TextWriter flows;
    private readonly TextWriter log;
    private readonly CalculationEngine engine = new();
    private readonly StateSync sync;
    private readonly RuleCatalog catalog = new();
    private readonly ParseCache parseCache = new();
    private readonly RulesetRenderer renderer;
    private readonly BlockingCollection<(string Commands, TaskCompletionSource<double> Done)> kernel = new();
    private readonly Thread writer;
    private readonly SemaphoreSlim reload = new(0);
    private readonly object flowLock = new();
    private Dictionary<IPAddress, Workload> byAddress = [];
    private NftTable? applied;
    private uint generation;
    private Dictionary<string, FileStamp> stamps = new(StringComparer.Ordinal);

    /// <summary>The stamps the last accepted load read, to tell a half-rewritten (emptied) file.</summary>
    private Dictionary<string, FileStamp> loadedStamps = new(StringComparer.Ordinal);

    /// <summary>When the first file event of the pending batch was seen (0: none), and how long it waited for the last reload.</summary>
    private long firstChange;
    private double? sinceChangeMs;

    public NodeAgent(AgentOptions options, TextWriter flows, TextWriter log)
    {
        this.options = options;
        this.flows = flows;
        this.log = log;
        sync = new StateSync(engine);
        renderer = new RulesetRenderer(catalog);
        generation = (uint)Random.Shared.Next(1, int.MaxValue);
        writer = new Thread(WriterLoop) { IsBackground = true, Name = "nftables writer" };
        writer.Start();
    }

    /// <summary>Number of changes applied to the kernel.</summary>
    public int Generations { get; private set; }

    /// <summary>The last kernel apply time in milliseconds.</summary>
    public double LastKernelMs { get; private set; }

    /// <summary>Runs until cancelled: the first load and apply, then a reload for every change of the manifests.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        // A change must reach the kernel in milliseconds: prefer background collections to blocking full ones.
        System.Runtime.GCSettings.LatencyMode = System.Runtime.GCLatencyMode.SustainedLowLatency;
        using var watchers = new CompositeDisposable(Watch());
        var flowThread = new Thread(() => ReadFlows(cancellationToken)) { IsBackground = true, Name = "flow log reader" };
        flowThread.Start();
        stamps = Stamps();
        await ReloadAsync(cancellationToken).ConfigureAwait(false);
        using var poll = new PeriodicTimer(options.Poll);
        var polling = Task.Run(async () =>
        {
            while (await poll.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                var now = Stamps();
                if (!now.SequenceEqual(stamps))
                {
                    reload.Release();
                }
            }
        }, cancellationToken);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await reload.WaitAsync(cancellationToken).ConfigureAwait(false);
                await SettleAsync(cancellationToken).ConfigureAwait(false);
                stamps = Stamps();
                var first = Interlocked.Exchange(ref firstChange, 0);
                sinceChangeMs = first == 0 ? null : Stopwatch.GetElapsedTime(first).TotalMilliseconds;
                await ReloadAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }

        try
        {
            await polling.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Loads the manifests and, when they are valid, brings the kernel to them. Invalid input changes nothing.</summary>
    public async Task<bool> ReloadAsync(CancellationToken cancellationToken)
    {
        var total = Stopwatch.StartNew();
        // A file rewritten in place is empty between its truncation and its write: a load that may have read it then
        // (a file that had content and is now empty, or any file changed while loading) is done again, so that no
        // moment's half-written state is enforced. An intentionally emptied file is taken after a few tries.
        LoadResult loaded;
        for (var attempt = 0; ; attempt++)
        {
            var before = Stamps();
            loaded = new ManifestLoader().Load(options.Paths, parseCache);
            var after = Stamps();
            var stable = before.Count == after.Count && before.All(kv => after.TryGetValue(kv.Key, out var v) && v == kv.Value);
            var emptied = after.Any(kv => kv.Value.Length == 0 && loadedStamps.TryGetValue(kv.Key, out var was) && was.Length > 0);
            if ((stable && !emptied) || attempt >= 20)
            {
                loadedStamps = after;
                break;
            }

            await Task.Delay(options.Debounce, cancellationToken).ConfigureAwait(false);
        }

        if (!loaded.Succeeded)
        {
            foreach (var d in loaded.Errors.Take(20))
            {
                await log.WriteLineAsync($"palisade agent: {d}").ConfigureAwait(false);
            }

            await log.WriteLineAsync("palisade agent: the manifests have errors; the rules in force are kept").ConfigureAwait(false);
            return false;
        }

        var loadMs = total.Elapsed.TotalMilliseconds;
        sync.Apply(loaded.Cluster, loaded.Policies);
        var syncMs = total.Elapsed.TotalMilliseconds - loadMs;
        var addresses = new Dictionary<IPAddress, Workload>();
        foreach (var w in loaded.Cluster.Workloads)
        {
            foreach (var a in w.Addresses)
            {
                addresses.TryAdd(a, w);
            }
        }

        lock (flowLock)
        {
            byAddress = addresses;
        }

        var render = Stopwatch.StartNew();
        var desired = renderer.Render(engine, options.Locals(), generation);
        if (applied is not null && RulesetDiff.Transaction(applied, desired).Length == 0)
        {
            return true;
        }

        // A change to the rules: the next generation, so that connections are judged again on their next packet.
        desired = RulesetRenderer.WithGeneration(desired, generation + 1);
        var commands = applied is null ? RulesetDiff.Replace(desired) : RulesetDiff.Transaction(applied, desired);
        var renderMs = render.Elapsed.TotalMilliseconds;
        var done = new TaskCompletionSource<double>(TaskCreationOptions.RunContinuationsAsynchronously);
        kernel.Add((commands, done), cancellationToken);
        LastKernelMs = await done.Task.ConfigureAwait(false);
        applied = desired;
        generation++;
        Generations++;
        await log.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"palisade agent: node {options.Node}: generation {Generations}: {sync.LastUpdates} updates, {(sinceChangeMs is { } since ? $"file event {since:F1} ms before, " : string.Empty)}load {loadMs:F1} ms, sync {syncMs:F1} ms, render {renderMs:F1} ms, kernel {LastKernelMs:F2} ms, {commands.Count(c => c == '\n')} commands")).ConfigureAwait(false);
        _ = Task.Run(CleanConntrack, CancellationToken.None);
        return true;
    }

    /// <summary>The one writer to the kernel: a libnftables context opened in the node's namespace and kept.</summary>
    private void WriterLoop()
    {
        NftablesContext? nft = null;
        try
        {
            if (options.NetworkNamespace is { } ns)
            {
                NetworkNamespace.Enter(ns);
            }

            nft = new NftablesContext();
            foreach (var (commands, done) in kernel.GetConsumingEnumerable())
            {
                var sw = Stopwatch.StartNew();
                try
                {
                    nft.Run(commands);
                    done.SetResult(sw.Elapsed.TotalMilliseconds);
                }
                catch (Exception e)
                {
                    done.SetException(e);
                }
            }
        }
        catch (Exception e)
        {
            while (kernel.TryTake(out var item))
            {
                item.Done.SetException(e);
            }
        }
        finally
        {
            nft?.Dispose();
        }
    }

    /// <summary>Connections a change revoked carry a mark; their entries are deleted (the rules already cut them).</summary>
    private void CleanConntrack()
    {
        try
        {
            var psi = options.NetworkNamespace is { } ns
                ? new ProcessStartInfo("ip", ["netns", "exec", ns, "conntrack", "-D", "-m", "0xffffffff"])
                : new ProcessStartInfo("conntrack", ["-D", "-m", "0xffffffff"]);
            psi.RedirectStandardOutput = true;
            psi.RedirectStandardError = true;
            using var p = Process.Start(psi);
            p?.WaitForExit(2000);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // conntrack is not installed: revoked connections are still cut by the rules; their entries expire.
        }
    }

    private void ReadFlows(CancellationToken cancellationToken)
    {
        try
        {
            if (options.NetworkNamespace is { } ns)
            {
                NetworkNamespace.Enter(ns);
            }

            using var reader = new FlowLogReader(RulesetRenderer.FlowLogGroup);
            reader.Run(WriteFlow, cancellationToken);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException)
        {
            log.WriteLine($"palisade agent: flow records are off: {e.Message}");
        }
    }

    private static readonly JsonWriterOptions FlowJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private void WriteFlow(LoggedPacket packet)
    {
        Dictionary<IPAddress, Workload> addresses;
        lock (flowLock)
        {
            addresses = byAddress;
        }

        var ruleId = (int)(packet.Mark >> 8);
        var decided = ruleId > 0 ? catalog.Find(ruleId) : null;
        var direction = packet.Prefix == "pal:open" ? "both" : (packet.Mark & 0x4) != 0 ? "ingress" : "egress";
        var verdict = packet.Prefix == "pal:deny" ? "denied" : "allowed";
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, FlowJson))
        {
            w.WriteStartObject();
            w.WriteString("time", packet.Time.ToString("O", CultureInfo.InvariantCulture));
            w.WriteString("node", options.Node);
            w.WriteString("direction", direction);
            w.WriteString("verdict", verdict);
            w.WriteString("protocol", new Palisade.Model.Protocol((byte)packet.Protocol).ToString());
            WriteEnd(w, "source", packet.Source, packet.SourcePort, addresses);
            WriteEnd(w, "destination", packet.Destination, packet.DestinationPort, addresses);
            w.WriteStartObject("decidedBy");
            if (decided is not null)
            {
                w.WriteString("tier", decided.Tier);
                if (decided.Policy is not null)
                {
                    w.WriteString("policy", decided.Policy);
                    w.WriteString("rule", decided.Rule);
                }
                else
                {
                    w.WriteString("rule", "end of tier");
                }

                w.WriteString("action", decided.Action.ToString());
            }
            else
            {
                w.WriteString("reason", packet.Prefix == "pal:open" ? "no policy applies (not isolated)" : "every tier passed the flow on");
            }

            w.WriteEndObject();
            w.WriteEndObject();
        }

        var line = System.Text.Encoding.UTF8.GetString(buffer.ToArray());
        lock (flows)
        {
            flows.WriteLine(line);
            flows.Flush();
        }
    }

    private static void WriteEnd(Utf8JsonWriter w, string property, IPAddress address, int port, Dictionary<IPAddress, Workload> addresses)
    {
        w.WriteStartObject(property);
        w.WriteString("address", address.ToString());
        if (port > 0)
        {
            w.WriteNumber("port", port);
        }

        if (addresses.TryGetValue(address, out var workload))
        {
            w.WriteString("namespace", workload.Namespace);
            w.WriteString("name", workload.Name);
            w.WriteStartObject("labels");
            foreach (var (k, v) in workload.Labels)
            {
                w.WriteString(k, v);
            }

            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    /// <summary>A file changed: note when the first change of this batch was seen, and wake the loop.</summary>
    private void Changed()
    {
        Interlocked.CompareExchange(ref firstChange, Stopwatch.GetTimestamp(), 0);
        reload.Release();
    }

    private IEnumerable<IDisposable> Watch()
    {
        foreach (var path in options.Paths)
        {
            var full = Path.GetFullPath(path);
            var dir = Directory.Exists(full) ? full : Path.GetDirectoryName(full);
            if (dir is null || !Directory.Exists(dir))
            {
                continue;
            }

            var watcher = new FileSystemWatcher(dir) { IncludeSubdirectories = Directory.Exists(full), EnableRaisingEvents = true };
            watcher.Changed += (_, _) => Changed();
            watcher.Created += (_, _) => Changed();
            watcher.Deleted += (_, _) => Changed();
            watcher.Renamed += (_, _) => Changed();
            yield return watcher;
        }
    }

    /// <summary>Every watched file's modification time and length (a rewrite can keep the time: timestamps are coarse).</summary>
    private Dictionary<string, FileStamp> Stamps()
    {
        var result = new Dictionary<string, FileStamp>(StringComparer.Ordinal);
        foreach (var path in options.Paths)
        {
            var files = File.Exists(path) ? [path] : Directory.Exists(path) ? Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories) : [];
            foreach (var f in files)
            {
                var info = new FileInfo(f);
                result[f] = info.Exists ? new FileStamp(info.LastWriteTimeUtc, info.Length) : new FileStamp(DateTime.MinValue, -1);
            }
        }

        return result;
    }

    /// <summary>Waits until the manifests are quiet: no file event for one debounce period (bounded by <see cref="MaxSettle"/>).</summary>
    private async Task SettleAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        do
        {
            while (reload.CurrentCount > 0)
            {
                await reload.WaitAsync(cancellationToken).ConfigureAwait(false);
            }

            await Task.Delay(options.Debounce, cancellationToken).ConfigureAwait(false);
        }
        while (reload.CurrentCount > 0 && Stopwatch.GetElapsedTime(started) < MaxSettle);

        while (reload.CurrentCount > 0)
        {
            await reload.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static readonly TimeSpan MaxSettle = TimeSpan.FromMilliseconds(100);

    private readonly record struct FileStamp(DateTime Modified, long Length);

    public void Dispose()
    {
        kernel.CompleteAdding();
        writer.Join(TimeSpan.FromSeconds(5));
        kernel.Dispose();
        reload.Dispose();
    }

    private sealed class CompositeDisposable(IEnumerable<IDisposable> items) : IDisposable
    {
        private readonly List<IDisposable> all = [.. items];

        public void Dispose()
        {
            foreach (var d in all)
            {
                d.Dispose();
            }
        }
    }
}
