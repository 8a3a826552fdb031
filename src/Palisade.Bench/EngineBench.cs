using System.Diagnostics;
using System.Text.Json.Serialization;
using Palisade.Engine.Calculation;
using Palisade.Model;
using Palisade.Model.Policies;

namespace Palisade.Bench;

/// <summary>What <c>palisade bench engine</c> measured, in one run on this machine.</summary>
public sealed record EngineBenchResult
{
    public required string Shape { get; init; }
    public required int Seed { get; init; }
    public required int Endpoints { get; init; }
    public required int Policies { get; init; }
    public required int Namespaces { get; init; }
    public required int Identities { get; init; }
    public required int Selectors { get; init; }
    public required int PolicyLists { get; init; }
    public required double FullBuildMs { get; init; }
    public required double EngineMemoryMb { get; init; }
    /// <summary>Peak working set of the process up to the end of the full build (generator, inputs and engine).</summary>
    public required double PeakMemoryMb { get; init; }

    /// <summary>Peak working set over the whole run, including the from-scratch rebuilds of the naive path.</summary>
    public required double PeakMemoryWholeRunMb { get; init; }
    public required int Updates { get; init; }
    public required double IncrementalUpdateP50Us { get; init; }
    public required double IncrementalUpdateP99Us { get; init; }
    public required double IncrementalUpdateMaxUs { get; init; }

    /// <summary>Updates applied before the timed stream (see <see cref="EngineBench.WarmupUpdates"/>), and the slowest of them.</summary>
    public required int WarmupUpdates { get; init; }
    public required double WarmupUpdateMaxUs { get; init; }
    public required IReadOnlyDictionary<string, double> IncrementalP99ByKindUs { get; init; }

    /// <summary>
    /// Timed updates of each kind. A rare kind's p99 is one of its few slowest updates (policy removals are 3% of the
    /// stream: their p99 is the third slowest of about 300), so it is also given without the updates a collection fell in.
    /// </summary>
    public required IReadOnlyDictionary<string, int> UpdatesByKind { get; init; }
    public required IReadOnlyDictionary<string, double> IncrementalP99ByKindWithoutCollectionUs { get; init; }

    /// <summary>Garbage collections during the timed stream, by generation ("gen0", "gen1", "gen2").</summary>
    public required IReadOnlyDictionary<string, int> ChurnCollections { get; init; }

    /// <summary>Total time the runtime paused for collections during the timed stream.</summary>
    public required double ChurnGcPauseMs { get; init; }

    /// <summary>Timed updates during which a collection ran, and the p99 of the others: what the engine's own work costs.</summary>
    public required int UpdatesWithCollection { get; init; }
    public required double IncrementalUpdateP99WithoutCollectionUs { get; init; }
    public required int NaiveSamples { get; init; }
    public required double NaiveUpdateP50Us { get; init; }
    public required double SpeedupP50 { get; init; }
    public required double VerdictsPerSecond { get; init; }
    public required double BatchVerdictsPerSecond { get; init; }

    /// <summary>
    /// Each verdict round as measured, beside the memory probes read in the same round: which window of the machine the
    /// best round (<see cref="VerdictsPerSecond"/>) and the others met.
    /// </summary>
    public required IReadOnlyList<VerdictRound> VerdictRounds { get; init; }

    /// <summary>
    /// The baseline measured in the same run: nanoseconds per dependent read at random over 1 MB, 4 MB and 16 MB (see
    /// <see cref="MemoryProbe"/>), the median over the verdict rounds. 1 MB lies in the core's own cache: it reads
    /// slower when the core itself runs slower (on a shared host, a busy sibling thread). Verdicts at 100k endpoints
    /// read about ten megabytes at random: where 16 MB reads at memory's speed rather than the cache's, so do they.
    /// </summary>
    public required IReadOnlyDictionary<string, double> MemoryReadNs { get; init; }
    public required double MeanIngressRules { get; init; }
    public required double MeanEgressRules { get; init; }
    public int? Classes { get; init; }
    public double? ClassesMs { get; init; }
    public long? ClassAllowedPairs { get; init; }
}

/// <summary>One round of verdicts: flows per second one at a time and in batches, and the memory probes read after them.</summary>
public sealed record VerdictRound(
    double Single,
    double Batch,
    [property: JsonPropertyName("read_1mb_ns")] double Read1MbNs,
    [property: JsonPropertyName("read_4mb_ns")] double Read4MbNs,
    [property: JsonPropertyName("read_16mb_ns")] double Read16MbNs);

/// <summary>
/// Measures the calculation engine on a synthetic cluster: a full build, a mixed churn stream through the incremental
/// path and (sampled) through a from-scratch rebuild on the same states, and single-core verdict throughput.
/// </summary>
public static class EngineBench
{
    /// <summary>Churn updates applied before the timed stream and reported apart (their slowest time).</summary>
    public const int WarmupUpdates = 500;

    public static EngineBenchResult Run(string shape, int endpoints, int policies, int seed, int updates, int naiveSamples, Action<string>? progress = null)
    {
        progress?.Invoke($"generating {shape} cluster: {endpoints} endpoints, {policies} policies (seed {seed})");
        var cluster = SyntheticCluster.Generate(shape, endpoints, policies, seed);
        var snapshot = cluster.Snapshot();
        var model = cluster.Model();

        progress?.Invoke("full build");
        Collect();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var sw = Stopwatch.StartNew();
        var engine = new CalculationEngine();
        engine.Load(snapshot, model);
        var fullBuildMs = sw.Elapsed.TotalMilliseconds;
        var peakAfterBuild = Process.GetCurrentProcess().PeakWorkingSet64;
        var engineBytes = GC.GetTotalMemory(forceFullCollection: true) - before;

        // The first updates run code paths for the first time (JIT, then tiered recompilation): a long-running engine
        // pays that once. They are applied and timed like the others, but reported apart, as warm-up.
        progress?.Invoke($"{WarmupUpdates} warm-up updates, then {updates} incremental updates");
        var stream = new ChurnGenerator(cluster);
        var warmupMax = 0.0;
        for (var i = 0; i < WarmupUpdates; i++)
        {
            var update = stream.Next();
            var start = Stopwatch.GetTimestamp();
            update.ApplyToEngine(engine);
            engine.Flush();
            warmupMax = Math.Max(warmupMax, Stopwatch.GetElapsedTime(start).TotalMicroseconds);
        }

        var samples = new double[updates];
        var byKind = new Dictionary<string, List<double>>(StringComparer.Ordinal);
        var byKindWithoutCollection = new Dictionary<string, List<double>>(StringComparer.Ordinal);
        var withoutCollection = new List<double>(updates);
        int[] collectionsBefore = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
        var pauseBefore = GC.GetTotalPauseDuration();
        for (var i = 0; i < updates; i++)
        {
            var update = stream.Next();
            var collections = GC.CollectionCount(0);
            var start = Stopwatch.GetTimestamp();
            update.ApplyToEngine(engine);
            engine.Flush();
            var us = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
            samples[i] = us;
            if (!byKind.TryGetValue(update.Kind, out var list))
            {
                byKind[update.Kind] = list = [];
                byKindWithoutCollection[update.Kind] = [];
            }

            list.Add(us);
            if (GC.CollectionCount(0) == collections)
            {
                withoutCollection.Add(us);
                byKindWithoutCollection[update.Kind].Add(us);
            }
        }

        int[] churnCollections = [GC.CollectionCount(0) - collectionsBefore[0], GC.CollectionCount(1) - collectionsBefore[1], GC.CollectionCount(2) - collectionsBefore[2]];
        var churnPause = GC.GetTotalPauseDuration() - pauseBefore;
        progress?.Invoke($"{naiveSamples} from-scratch rebuilds on the same churn");
        var naive = new double[naiveSamples];
        for (var i = 0; i < naiveSamples; i++)
        {
            var update = stream.Next();
            update.ApplyToEngine(engine);
            engine.Flush();
            var s = cluster.Snapshot();
            var m = cluster.Model();
            var start = Stopwatch.GetTimestamp();
            _ = CalculationEngine.Build(s, m);
            naive[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }

        progress?.Invoke("connectivity classes");
        var classStart = Stopwatch.GetTimestamp();
        var classReport = engine.Classes();
        var classesMs = Stopwatch.GetElapsedTime(classStart).TotalMilliseconds;

        // The peak of the engine's work, read before the verdict stage's memory probes (21 MB that belong to no engine).
        var peakWholeRun = Process.GetCurrentProcess().PeakWorkingSet64;
        progress?.Invoke("verdicts");
        var rounds = MeasureVerdicts(engine, cluster, seed);
        var p50 = Percentile(samples, 0.50);
        var naiveP50 = naive.Length == 0 ? 0 : Percentile(naive, 0.50);
        return new EngineBenchResult
        {
            Shape = shape,
            Seed = seed,
            Endpoints = snapshot.Workloads.Length,
            Policies = model.PolicyCount,
            Namespaces = snapshot.Namespaces.Length,
            Identities = engine.IdentityCount,
            Selectors = engine.SelectorCount,
            PolicyLists = engine.PolicyListCount,
            FullBuildMs = Math.Round(fullBuildMs, 1),
            EngineMemoryMb = Math.Round(engineBytes / 1048576.0, 1),
            PeakMemoryMb = Math.Round(peakAfterBuild / 1048576.0, 1),
            PeakMemoryWholeRunMb = Math.Round(peakWholeRun / 1048576.0, 1),
            Updates = updates,
            IncrementalUpdateP50Us = Math.Round(p50, 2),
            IncrementalUpdateP99Us = Math.Round(Percentile(samples, 0.99), 2),
            IncrementalUpdateMaxUs = Math.Round(samples.Max(), 2),
            WarmupUpdates = WarmupUpdates,
            WarmupUpdateMaxUs = Math.Round(warmupMax, 2),
            IncrementalP99ByKindUs = byKind.ToDictionary(k => k.Key, k => Math.Round(Percentile([.. k.Value], 0.99), 2), StringComparer.Ordinal),
            UpdatesByKind = byKind.ToDictionary(k => k.Key, k => k.Value.Count, StringComparer.Ordinal),
            IncrementalP99ByKindWithoutCollectionUs = byKindWithoutCollection.Where(k => k.Value.Count > 0)
                .ToDictionary(k => k.Key, k => Math.Round(Percentile([.. k.Value], 0.99), 2), StringComparer.Ordinal),
            ChurnCollections = new Dictionary<string, int>(StringComparer.Ordinal)
            {
                ["gen0"] = churnCollections[0],
                ["gen1"] = churnCollections[1],
                ["gen2"] = churnCollections[2],
            },
            ChurnGcPauseMs = Math.Round(churnPause.TotalMilliseconds, 1),
            UpdatesWithCollection = updates - withoutCollection.Count,
            IncrementalUpdateP99WithoutCollectionUs = withoutCollection.Count == 0 ? 0 : Math.Round(Percentile([.. withoutCollection], 0.99), 2),
            NaiveSamples = naiveSamples,
            NaiveUpdateP50Us = Math.Round(naiveP50, 1),
            SpeedupP50 = p50 > 0 ? Math.Round(naiveP50 / p50, 1) : 0,
            VerdictsPerSecond = rounds.Max(r => r.Single),
            BatchVerdictsPerSecond = rounds.Max(r => r.Batch),
            VerdictRounds = rounds,
            MemoryReadNs = new Dictionary<string, double>(StringComparer.Ordinal)
            {
                ["1mb"] = Math.Round(Percentile([.. rounds.Select(r => r.Read1MbNs)], 0.5), 1),
                ["4mb"] = Math.Round(Percentile([.. rounds.Select(r => r.Read4MbNs)], 0.5), 1),
                ["16mb"] = Math.Round(Percentile([.. rounds.Select(r => r.Read16MbNs)], 0.5), 1),
            },
            Classes = classReport.Classes.Length,
            ClassesMs = Math.Round(classesMs, 1),
            ClassAllowedPairs = classReport.AllowedPairs,
            MeanIngressRules = Math.Round(engine.MeanProgramLength().Ingress, 1),
            MeanEgressRules = Math.Round(engine.MeanProgramLength().Egress, 1),
        };
    }

    /// <summary>
    /// Verdicts per second on this one thread, one flow at a time and in batches (the bulk path analysis uses, with
    /// prefetching), over the same 64k random pairs: five rounds of each, interleaved, the best round counting. The
    /// machine is shared and its noise only ever slows a round, so the best round is the closest to what the code does.
    /// Each round ends with the memory probes, so that every round's figures come with the window they met.
    /// </summary>
    private static VerdictRound[] MeasureVerdicts(CalculationEngine engine, SyntheticCluster cluster, int seed)
    {
        var random = new Random(seed);
        var ids = cluster.Workloads.Keys.ToArray();
        const int Pairs = 1 << 16;
        var src = new int[Pairs];
        var dst = new int[Pairs];
        var ports = new int[Pairs];
        int[] candidatePorts = [8080, 8443, 5432, 6379, 9090, 389];
        for (var i = 0; i < Pairs; i++)
        {
            src[i] = engine.EndpointHandle(ids[random.Next(ids.Length)]);
            dst[i] = engine.EndpointHandle(ids[random.Next(ids.Length)]);
            ports[i] = candidatePorts[random.Next(candidatePorts.Length)];
        }

        var allowed = 0;
        var results = new FastVerdict[Pairs];
        void One()
        {
            for (var i = 0; i < Pairs; i++)
            {
                allowed += engine.Evaluate(src[i], dst[i], Protocol.Tcp, ports[i]).Allowed ? 1 : 0;
            }
        }

        void Batch() => engine.Evaluate(src, dst, ports, Protocol.Tcp, results);

        // Warm up both paths, then the rounds.
        One();
        Batch();
        MemoryProbe[] probes = [new(1 << 20, seed), new(4 << 20, seed), new(16 << 20, seed)];
        var rounds = new VerdictRound[5];
        for (var round = 0; round < rounds.Length; round++)
        {
            var single = Rate(One, Pairs);
            var batch = Rate(Batch, Pairs);
            rounds[round] = new VerdictRound(Math.Round(single), Math.Round(batch), Math.Round(probes[0].ReadNs(ProbeReads), 1), Math.Round(probes[1].ReadNs(ProbeReads), 1), Math.Round(probes[2].ReadNs(ProbeReads), 1));
        }

        GC.KeepAlive(allowed);
        return rounds;
    }

    /// <summary>Reads per memory probe and round: about 70 ms where each read goes to memory.</summary>
    private const int ProbeReads = 500_000;

    /// <summary>Flows per second of <paramref name="pass"/> (which judges <paramref name="flows"/>) repeated for about 300 ms.</summary>
    private static double Rate(Action pass, int flows)
    {
        long count = 0;
        var sw = Stopwatch.StartNew();
        while (sw.ElapsedMilliseconds < 300)
        {
            pass();
            count += flows;
        }

        return count / sw.Elapsed.TotalSeconds;
    }

    private static void Collect()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    private static double Percentile(double[] values, double p)
    {
        if (values.Length == 0)
        {
            return 0;
        }

        var sorted = values.Order().ToArray();
        var index = (int)Math.Ceiling(p * sorted.Length) - 1;
        return sorted[Math.Clamp(index, 0, sorted.Length - 1)];
    }
}
