using System.Diagnostics;

namespace Palisade.Bench;

/// <summary>
/// The machine's memory as a measurement met it: nanoseconds per read when each read depends on the one before and
/// lands on a cache line of its own, at random, in a buffer of a given size (a walk through a random cycle of all its
/// lines). On a shared virtual machine the share of the last-level cache left to this process changes from one window
/// to the next: a buffer that fits in that share reads in tens of nanoseconds, one that does not in a trip to memory.
/// Measured beside a figure, it says which window the figure was measured in.
/// </summary>
public sealed class MemoryProbe
{
    /// <summary>Ints per 64-byte cache line: the walk keeps one link per line.</summary>
    private const int LineInts = 16;

    private readonly int[] links;

    /// <summary>A walk over <paramref name="bytes"/> bytes, its order drawn from <paramref name="seed"/>.</summary>
    public MemoryProbe(int bytes, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bytes, 2 * 64);
        var lines = bytes / 64;
        var order = new int[lines];
        for (var i = 0; i < lines; i++)
        {
            order[i] = i;
        }

        new Random(seed).Shuffle(order);

        // Every line is written here, so the walk never meets a page for the first time.
        links = new int[lines * LineInts];
        for (var i = 0; i < lines; i++)
        {
            links[order[i] * LineInts] = order[(i + 1) % lines] * LineInts;
        }

        Bytes = bytes;
    }

    public int Bytes { get; }

    /// <summary>Nanoseconds per read over <paramref name="reads"/> dependent reads.</summary>
    public double ReadNs(int reads)
    {
        var at = 0;
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < reads; i++)
        {
            at = links[at];
        }

        var ns = Stopwatch.GetElapsedTime(start).TotalNanoseconds / reads;

        // The walk's end is a link (a multiple of the line), which keeps the loop from being optimized away.
        return at % LineInts == 0 ? ns : double.NaN;
    }
}
