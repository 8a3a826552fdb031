namespace Palisade.Bench;

/// <summary>What <c>palisade bench dataplane --handshakes-only</c> measured: handshakes per second by ruleset, and ratios.</summary>
public sealed record HandshakeBenchResult
{
    public required int Rules { get; init; }
    public required double SecondsPerScenario { get; init; }
    public required int Rounds { get; init; }

    /// <summary>The best round of each ruleset (SYN-ACKs the router forwarded back per second).</summary>
    public required IReadOnlyDictionary<string, double> HandshakesPerSecond { get; init; }

    /// <summary>Every round of each ruleset, in order: how far apart the rounds are says how noisy the machine was.</summary>
    public required IReadOnlyDictionary<string, IReadOnlyList<double>> HandshakesPerRound { get; init; }

    /// <summary>Share of the SYNs whose SYN-ACK came back, in the best round.</summary>
    public required IReadOnlyDictionary<string, double> AnsweredShare { get; init; }

    /// <summary>Each ruleset's best against conntrack only's best.</summary>
    public required IReadOnlyDictionary<string, double> VsConntrack { get; init; }

    /// <summary>Each ruleset's best against the naive list's best.</summary>
    public required IReadOnlyDictionary<string, double> VsNaive { get; init; }

    /// <summary>Each ruleset's best against no ruleset's best.</summary>
    public required IReadOnlyDictionary<string, double> VsNone { get; init; }
}
