namespace Palisade.Lab;

/// <summary>The outcome of one probe, with the server's reply (the answering workload's id) when there was one.</summary>
/// <param name="Request">What was probed.</param>
/// <param name="Outcome">What the probe saw.</param>
/// <param name="Elapsed">How long it took.</param>
public sealed record ProbeResult(ProbeRequest Request, ProbeOutcome Outcome, TimeSpan Elapsed)
{
    /// <summary>What the server answered (its workload id), if it answered.</summary>
    public string? Reply { get; init; }

    /// <summary>Why the probe failed, when <see cref="Outcome"/> is <see cref="ProbeOutcome.Failed"/> or <see cref="ProbeOutcome.Unreachable"/>.</summary>
    public string? Error { get; init; }

    /// <summary>Whether traffic got through to a server.</summary>
    public bool Connected => Outcome == ProbeOutcome.Connected;

    public override string ToString() => $"{Request}: {Outcome}{(Reply is null ? string.Empty : $" ({Reply})")}{(Error is null ? string.Empty : $" [{Error}]")}";
}
