using System.Globalization;
using Palisade.Dataplane.Nftables;

namespace Palisade.Bench;

/// <summary>
/// The data plane's admission capacity alone: handshakes per second (see <see cref="HandshakeGenerator"/>) with no
/// ruleset, conntrack only, Palisade's rendering (with and without flow logs), the naive list and any ruleset given as
/// an nft script, alternated ruleset by ruleset, round after round, the best round counting, as in the full bench. Short
/// enough to compare variants of the ruleset in one run.
/// </summary>
public static class HandshakeBench
{
    public static HandshakeBenchResult Run(int rules, double seconds, int rounds, IReadOnlyList<(string Name, string Script)> extra, string? saveDirectory,
        Action<string>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(extra);
        List<(string Name, string? Script)> scenarios =
        [
            ("none", null),
            ("conntrack", BenchRulesets.ConntrackOnly),
            ("palisade", RulesetDiff.Replace(BenchRulesets.PalisadeTable(rules, setSize: 1000, flowLogs: true))),
            ("palisade-no-flow-logs", RulesetDiff.Replace(BenchRulesets.PalisadeTable(rules, setSize: 1000, flowLogs: false))),
            ("naive", BenchRulesets.NaiveTable(rules)),
            .. extra.Select(e => (e.Name, (string?)e.Script)),
        ];
        if (saveDirectory is not null)
        {
            Directory.CreateDirectory(saveDirectory);
            foreach (var (name, script) in scenarios.Where(s => s.Script is not null))
            {
                File.WriteAllText(Path.Combine(saveDirectory, name + ".nft"), script);
            }
        }

        using var topology = BenchTopology.Create();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var listener = BenchTopology.Listen(DataplaneBench.Port, echo: false, stop.Token);
        using var nft = new RouterTables(BenchTopology.Router);
        var perRound = scenarios.ToDictionary(s => s.Name, _ => new List<double>(), StringComparer.Ordinal);
        var best = new Dictionary<string, HandshakeGenerator.Outcome>(StringComparer.Ordinal);
        for (var round = 0; round < rounds; round++)
        {
            foreach (var (name, script) in scenarios)
            {
                nft.Load(script);
                RouterTables.ForgetConnections();
                var outcome = HandshakeGenerator.Measure(DataplaneBench.Port, TimeSpan.FromSeconds(seconds), stop.Token);
                RouterTables.ForgetConnections();
                perRound[name].Add(Math.Round(outcome.AnsweredPerSecond));
                progress?.Invoke(string.Create(CultureInfo.InvariantCulture, $"round {round + 1}: {name}: {outcome.AnsweredPerSecond:F0} handshakes/s ({outcome.Answered} answered of {outcome.SynsSent} SYNs)"));
                if (!best.TryGetValue(name, out var b) || outcome.AnsweredPerSecond > b.AnsweredPerSecond)
                {
                    best[name] = outcome;
                }
            }
        }

        nft.Load(null);
        Dictionary<string, double> Ratio(string baseline) =>
            best.ToDictionary(b => b.Key, b => Math.Round(b.Value.AnsweredPerSecond / best[baseline].AnsweredPerSecond, 3), StringComparer.Ordinal);
        return new HandshakeBenchResult
        {
            Rules = rules,
            SecondsPerScenario = seconds,
            Rounds = rounds,
            HandshakesPerSecond = best.ToDictionary(b => b.Key, b => Math.Round(b.Value.AnsweredPerSecond), StringComparer.Ordinal),
            HandshakesPerRound = perRound.ToDictionary(p => p.Key, p => (IReadOnlyList<double>)p.Value, StringComparer.Ordinal),
            AnsweredShare = best.ToDictionary(b => b.Key, b => Math.Round((double)b.Value.Answered / b.Value.SynsSent, 4), StringComparer.Ordinal),
            VsConntrack = Ratio("conntrack"),
            VsNaive = Ratio("naive"),
            VsNone = Ratio("none"),
        };
    }
}
