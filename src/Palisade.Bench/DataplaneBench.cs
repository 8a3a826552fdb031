using System.Diagnostics;
using System.Globalization;
using Palisade.Dataplane.Nftables;

namespace Palisade.Bench;

/// <summary>
/// Measures the nftables data plane between two namespaces through a router namespace holding the ruleset: new
/// connections per second and connect latency with no ruleset, with conntrack only, with Palisade's rendering of a
/// 10k-rule policy set, and with the same policy as a naive linear rule list (all in the same run), also as bare
/// handshakes per second (SYN to SYN-ACK, see <see cref="HandshakeGenerator"/>); connect latency as the selector set
/// grows, paired with no ruleset on the topology's twin chain; and, with the agent, manifest change to first permitted connection and to revocation.
/// </summary>
public static class DataplaneBench
{
    internal const int Port = 8080;

    /// <summary>Connections timed one at a time per latency measurement (its p99 is the tenth slowest).</summary>
    private const int LatencySamples = 1000;

    /// <summary>Connects timed on each side per set size and round in the paired first-packet measurement.</summary>
    private const int PairedSamples = 3000;

    /// <summary>Members of the selector set in the latency-by-set-size measurement.</summary>
    private static readonly int[] SetSizes = [100, 1_000, 10_000, 100_000];

    /// <summary>Changes made before the timed ones (see <see cref="DataplaneBenchResult.AgentWarmupPermitMaxMs"/>).</summary>
    public const int AgentWarmupChanges = 5;

    public static async Task<DataplaneBenchResult> RunAsync(int rules, double seconds, int concurrency, int changes, Action<string>? progress, CancellationToken cancellationToken) =>
        await RunAsync(rules, seconds, concurrency, changes, restarts: 0, agentCommand: null, progress, cancellationToken).ConfigureAwait(false);

    /// <param name="restarts">Times to kill -9 and restart an agent process under a probe load (0 to skip).</param>
    /// <param name="agentCommand">Makes the start info of <c>palisade agent</c> with the given arguments.</param>
    public static async Task<DataplaneBenchResult> RunAsync(int rules, double seconds, int concurrency, int changes, int restarts,
        Func<IReadOnlyList<string>, ProcessStartInfo>? agentCommand, Action<string>? progress, CancellationToken cancellationToken)
    {
        // The measuring loops block pool threads while they poll sockets; with only as many pool threads as cores
        // (two here) the in-process agent's continuations would wait for the pool to grow, which is the harness's
        // delay, not the agent's.
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 16), Math.Max(io, 16));
        using var topology = BenchTopology.Create();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var listener = BenchTopology.Listen(Port, echo: false, stop.Token);
        using var twinListener = BenchTopology.Listen(Port, echo: false, stop.Token, BenchTopology.ServerTwin);
        using var nft = new RouterTables(BenchTopology.Router);
        var rates = new Dictionary<string, double>(StringComparer.Ordinal);
        var p50 = new Dictionary<string, double>(StringComparer.Ordinal);
        var p99 = new Dictionary<string, double>(StringComparer.Ordinal);
        var handshakes = new Dictionary<string, HandshakeGenerator.Outcome>(StringComparer.Ordinal);

        var palisadeTable = BenchRulesets.PalisadeTable(rules, setSize: 1000, flowLogs: true);
        var scenarios = new (string Name, string? Script)[]
        {
            ("none", null),
            ("palisade-no-flow-logs", RulesetDiff.Replace(BenchRulesets.PalisadeTable(rules, setSize: 1000, flowLogs: false))),
            ("conntrack", BenchRulesets.ConntrackOnly),
            ("palisade", RulesetDiff.Replace(palisadeTable)),
            ("naive", BenchRulesets.NaiveTable(rules)),
        };

        // Three times round, interleaved, so that drift of this shared machine falls on every scenario alike; the best run counts.
        for (var round = 0; round < 3; round++)
        {
            foreach (var (name, script) in scenarios)
            {
                progress?.Invoke($"round {round + 1}: {name}");
                nft.Load(script);
                var rate = await ConnectMeasurements.MeasureRateAsync(TimeSpan.FromSeconds(seconds), concurrency, stop.Token).ConfigureAwait(false);
                rates[name] = Math.Max(rates.GetValueOrDefault(name), Math.Round(rate));
                var (lo, hi) = await ConnectMeasurements.MeasureLatencyAsync(LatencySamples, stop.Token).ConfigureAwait(false);
                p50[name] = p50.TryGetValue(name, out var a) ? Math.Min(a, lo) : lo;
                p99[name] = p99.TryGetValue(name, out var b) ? Math.Min(b, hi) : hi;

                // Each scenario's handshakes start and leave the router with no connection state.
                RouterTables.ForgetConnections();
                var handshake = HandshakeGenerator.Measure(Port, TimeSpan.FromSeconds(seconds), stop.Token);
                RouterTables.ForgetConnections();
                progress?.Invoke(string.Create(CultureInfo.InvariantCulture, $"round {round + 1}: {name}: {rate:F0} connections/s, {handshake.AnsweredPerSecond:F0} handshakes/s ({handshake.Answered} answered of {handshake.SynsSent} SYNs)"));
                if (!handshakes.TryGetValue(name, out var best) || handshake.AnsweredPerSecond > best.AnsweredPerSecond)
                {
                    handshakes[name] = handshake;
                }
            }
        }

        // First-packet latency as the selector set grows, paired: the twin chain's router has no ruleset, and connects
        // alternate between the chains, so that a p99 (mostly this shared machine's noise when runs are apart) is
        // compared with a baseline that met the same noise. Three times round, each size's samples pooled.
        // Conntrack alone against none, Palisade against conntrack alone, and none against none (the method's own
        // noise) are measured the same way.
        List<(string Key, string? Script, string? Twin, string What)> pairings =
        [
            .. SetSizes.Select(size => (size.ToString(CultureInfo.InvariantCulture), (string?)RulesetDiff.Replace(BenchRulesets.PalisadeTable(rules, size)), (string?)null, $"a {size}-member selector set against no ruleset")),
            ("conntrack", BenchRulesets.ConntrackOnly, null, "conntrack only against no ruleset"),
            ("vs-conntrack", RulesetDiff.Replace(palisadeTable), BenchRulesets.ConntrackOnly, "a 1000-member selector set against conntrack only"),
            ("none", null, null, "no ruleset against no ruleset"),
        ];
        var paired = pairings.ToDictionary(t => t.Key, _ => (Ruleset: new List<double>(), Baseline: new List<double>()), StringComparer.Ordinal);
        using (var twin = new RouterTables(BenchTopology.RouterTwin))
        {
            for (var round = 0; round < 3; round++)
            {
                foreach (var (key, script, twinScript, what) in pairings)
                {
                    progress?.Invoke($"round {round + 1}: first-packet latency, paired: {what}");
                    nft.Load(script);
                    twin.Load(twinScript);
                    var (withRules, baseline) = await ConnectMeasurements.MeasurePairedLatencyAsync(PairedSamples, stop.Token).ConfigureAwait(false);
                    paired[key].Ruleset.AddRange(withRules);
                    paired[key].Baseline.AddRange(baseline);
                }
            }

            twin.Load(null);
        }

        nft.Load(null);
        var firstPacket = SetSizes.Select(size => size.ToString(CultureInfo.InvariantCulture))
            .ToDictionary(key => key, key => ConnectMeasurements.Paired(paired[key].Ruleset, paired[key].Baseline), StringComparer.Ordinal);
        DataplaneBenchResult result = new()
        {
            Rules = rules,
            SecondsPerScenario = seconds,
            ConnectionsPerSecond = rates,
            PalisadeVsNone = Math.Round(rates["palisade"] / rates["none"], 3),
            PalisadeVsConntrack = Math.Round(rates["palisade"] / rates["conntrack"], 3),
            PalisadeVsNaive = Math.Round(rates["palisade"] / rates["naive"], 3),
            HandshakesPerSecond = handshakes.ToDictionary(h => h.Key, h => Math.Round(h.Value.AnsweredPerSecond), StringComparer.Ordinal),
            HandshakeSynsSent = handshakes.ToDictionary(h => h.Key, h => h.Value.SynsSent, StringComparer.Ordinal),
            HandshakeAnsweredShare = handshakes.ToDictionary(h => h.Key, h => Math.Round((double)h.Value.Answered / h.Value.SynsSent, 4), StringComparer.Ordinal),
            HandshakePalisadeVsNone = Math.Round(handshakes["palisade"].AnsweredPerSecond / handshakes["none"].AnsweredPerSecond, 3),
            HandshakePalisadeVsConntrack = Math.Round(handshakes["palisade"].AnsweredPerSecond / handshakes["conntrack"].AnsweredPerSecond, 3),
            HandshakePalisadeVsNaive = Math.Round(handshakes["palisade"].AnsweredPerSecond / handshakes["naive"].AnsweredPerSecond, 3),
            ConnectP50Us = p50,
            ConnectP99Us = p99,
            ConnectP99UsBySetSize = firstPacket.ToDictionary(p => p.Key, p => p.Value.RulesetP99Us, StringComparer.Ordinal),
            ConnectP50UsBySetSize = firstPacket.ToDictionary(p => p.Key, p => p.Value.RulesetP50Us, StringComparer.Ordinal),
            FirstPacketBySetSize = firstPacket,
            FirstPacketP99DeltaMaxUs = firstPacket.Values.Max(p => p.P99DeltaUs),
            FirstPacketConntrackOnly = ConnectMeasurements.Paired(paired["conntrack"].Ruleset, paired["conntrack"].Baseline),
            FirstPacketVsConntrack = ConnectMeasurements.Paired(paired["vs-conntrack"].Ruleset, paired["vs-conntrack"].Baseline),
            FirstPacketNoneVsNone = ConnectMeasurements.Paired(paired["none"].Ruleset, paired["none"].Baseline),
        };

        if (changes > 0)
        {
            progress?.Invoke($"agent: {changes} changes to first permitted connection, {changes} revocations");
            result = await AgentMeasurements.MeasureAgentAsync(result, changes, progress, stop.Token).ConfigureAwait(false);
        }

        if (restarts > 0 && agentCommand is not null)
        {
            progress?.Invoke($"agent: {restarts} kill -9 and restarts under about 100 new connections/s");
            result = AgentMeasurements.MeasureRestarts(result, restarts, agentCommand, progress);
        }

        await stop.CancelAsync().ConfigureAwait(false);
        return result;
    }
}
