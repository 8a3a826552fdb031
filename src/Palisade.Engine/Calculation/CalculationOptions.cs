namespace Palisade.Engine.Calculation;

/// <summary>Tuning of the calculation engine; the defaults suit production, tests vary them to reach every path.</summary>
public sealed record CalculationOptions
{
    /// <summary>Tier programs with more rules than this get a selector index (0: index every program).</summary>
    public int IndexThreshold { get; init; } = 24;

    /// <summary>
    /// Tier programs with more rules than this are built in chunks of whole policies, about <see cref="ChunkRules"/>
    /// rules each, so that adding or removing one of their policies rebuilds one chunk rather than the program.
    /// </summary>
    public int ChunkThreshold { get; init; } = 1024;

    /// <summary>Rules a chunk is filled to (a chunk holds whole policies, so it may hold more).</summary>
    public int ChunkRules { get; init; } = 256;

    /// <summary>
    /// Engines with at least this many endpoints prefetch ahead when judging a batch of flows; smaller ones keep their
    /// fast-path data in cache, where prefetching only costs instructions (at 10k endpoints it made batches 15-20%
    /// slower than single flows on the 2-core reference machine).
    /// </summary>
    public int BatchPrefetchFromEndpoints { get; init; } = 32_768;

    /// <summary>
    /// Engines with at least this many endpoints lay out the data verdicts read (program codes, policy lists' program
    /// arrays, identities' peer blocks) densely by kind, once, at the end of the first flush that leaves them this large
    /// (a full load, or a stream of updates filling the engine), so that a flow touches fewer pages (0: always; tests
    /// use it to pass every engine through the packing). Measured by turns in one process: (10k, 1k)
    /// 7.5% more verdicts per second for 2-12 ms of a 230 ms load; at 1k endpoints no gain beyond noise.
    /// </summary>
    public int PackFromEndpoints { get; init; } = 4_096;
}
