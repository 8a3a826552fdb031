namespace Palisade.Bench;

/// <summary>Connect latency through a ruleset and through a baseline, timed in alternation; deltas are ruleset minus baseline.</summary>
public sealed record PairedLatency
{
    /// <summary>Connects timed on each side.</summary>
    public required int Samples { get; init; }
    public required double RulesetP50Us { get; init; }
    public required double RulesetP99Us { get; init; }
    public required double BaselineP50Us { get; init; }
    public required double BaselineP99Us { get; init; }
    public required double P50DeltaUs { get; init; }
    public required double P99DeltaUs { get; init; }
}
