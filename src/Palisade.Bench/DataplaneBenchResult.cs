namespace Palisade.Bench;

/// <summary>What <c>palisade bench dataplane</c> measured, in one run on this machine.</summary>
public sealed record DataplaneBenchResult
{
    public required int Rules { get; init; }
    public required double SecondsPerScenario { get; init; }
    public required IReadOnlyDictionary<string, double> ConnectionsPerSecond { get; init; }
    public required double PalisadeVsNone { get; init; }
    public required double PalisadeVsConntrack { get; init; }
    public required double PalisadeVsNaive { get; init; }

    /// <summary>
    /// SYNs answered per second through the router (raw SYNs from the client, SYN-ACKs the router forwarded back): the
    /// data plane's admission of new connections, without the user-space work that bounds <see cref="ConnectionsPerSecond"/>.
    /// </summary>
    public required IReadOnlyDictionary<string, double> HandshakesPerSecond { get; init; }

    /// <summary>SYNs sent in the round that counts for <see cref="HandshakesPerSecond"/>.</summary>
    public required IReadOnlyDictionary<string, long> HandshakeSynsSent { get; init; }

    /// <summary>
    /// Share of those SYNs whose SYN-ACK the router forwarded back (from the interface's packet counter, so an ARP reply
    /// in the same seconds can put it a hair above 1).
    /// </summary>
    public required IReadOnlyDictionary<string, double> HandshakeAnsweredShare { get; init; }
    public required double HandshakePalisadeVsNone { get; init; }
    public required double HandshakePalisadeVsConntrack { get; init; }
    public required double HandshakePalisadeVsNaive { get; init; }
    public required IReadOnlyDictionary<string, double> ConnectP50Us { get; init; }
    public required IReadOnlyDictionary<string, double> ConnectP99Us { get; init; }
    public required IReadOnlyDictionary<string, double> ConnectP99UsBySetSize { get; init; }
    public required IReadOnlyDictionary<string, double> ConnectP50UsBySetSize { get; init; }

    /// <summary>
    /// First-packet latency (connect: SYN out, SYN-ACK back) with Palisade's ruleset as its selector set grows, each
    /// size paired with the no-ruleset baseline: connects alternate between the two chains of the topology, so that
    /// the machine's noise falls on both alike; samples of three rounds pooled.
    /// </summary>
    public required IReadOnlyDictionary<string, PairedLatency> FirstPacketBySetSize { get; init; }

    /// <summary>The largest p99 difference (Palisade minus no ruleset) over the set sizes.</summary>
    public required double FirstPacketP99DeltaMaxUs { get; init; }

    /// <summary>The same paired measurement with conntrack only (what any stateful ruleset pays) against no ruleset.</summary>
    public required PairedLatency FirstPacketConntrackOnly { get; init; }

    /// <summary>Palisade's ruleset (1000-member set) against conntrack only: what Palisade adds to a stateful data plane.</summary>
    public required PairedLatency FirstPacketVsConntrack { get; init; }

    /// <summary>No ruleset against no ruleset: the method's own noise (its deltas would be 0 on a quiet machine).</summary>
    public required PairedLatency FirstPacketNoneVsNone { get; init; }
    public double? ChangeToPermitP50Ms { get; init; }
    public double? ChangeToPermitP99Ms { get; init; }
    public double? KernelApplyP99Ms { get; init; }
    public double? RevocationP50Ms { get; init; }
    public double? RevocationP99Ms { get; init; }
    public int? PacketsAfterRevocation { get; init; }

    /// <summary>Slowest change to permit among the agent's first changes (JIT and tiering warm-up), not in the percentiles.</summary>
    public double? AgentWarmupPermitMaxMs { get; init; }

    /// <summary>Slowest revocation among the warm-up changes.</summary>
    public double? AgentWarmupRevokeMaxMs { get; init; }
    public int? AgentRestarts { get; init; }
    public int? RestartProbes { get; init; }
    public int? RestartAllowedFailed { get; init; }
    public int? RestartDeniedSucceeded { get; init; }
    public double? RestartReconcileP50Ms { get; init; }
}
