
namespace Palisade.Engine.Calculation;

/// <summary>Cache hints for the verdict walker's batches: bring the lines a flow a few places ahead will read.</summary>
internal static class VerdictPrefetch
{
    /// <summary>A hint to bring the cache line holding <paramref name="at"/> in; nothing where the processor has no such hint.</summary>
    internal static unsafe void Prefetch<T>(ref T at)
    {
        if (System.Runtime.Intrinsics.X86.Sse.IsSupported)
        {
            System.Runtime.Intrinsics.X86.Sse.Prefetch0(System.Runtime.CompilerServices.Unsafe.AsPointer(ref at));
        }
    }

    /// <summary>Both cache lines <paramref name="bytes"/> bytes from <paramref name="at"/> may span.</summary>
    internal static void PrefetchSpan<T>(ref T at, int bytes)
    {
        Prefetch(ref at);
        Prefetch(ref System.Runtime.CompilerServices.Unsafe.Add(ref System.Runtime.CompilerServices.Unsafe.As<T, byte>(ref at), bytes - 1));
    }

    internal static void PrefetchArray<T>(T[]? array)
    {
        if (array is { Length: > 0 })
        {
            Prefetch(ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(array));
        }
    }

    internal static void PrefetchProgram(in ProgramRef p)
    {
        if (p.Plain is { } code)
        {
            PrefetchArray(code);
        }
        else
        {
            PrefetchSpan(ref System.Runtime.CompilerServices.Unsafe.As<RawObject>(p.Program).Data, ProgramFieldBytes);
        }
    }

    internal static readonly int HotSize = System.Runtime.CompilerServices.Unsafe.SizeOf<EndpointHot>();

    /// <summary>The span of a program object's fields the fast path reads (references and flags: two cache lines).</summary>
    internal const int ProgramFieldBytes = 65;

    /// <summary>Any object seen as its first field: the address of an object's data, to prefetch it.</summary>
    private sealed class RawObject
    {
        public byte Data;
    }

    internal static void PrefetchEndpoints(EndpointHot[] hot, int source, int destination)
    {
        if ((source | destination) < 0)
        {
            return;
        }

        // An entry may straddle two cache lines: both are fetched.
        PrefetchSpan(ref hot[source], HotSize);
        PrefetchSpan(ref hot[destination], HotSize);
    }

    internal static void PrefetchArrays(EndpointHot[] hot, int source, int destination)
    {
        if ((source | destination) < 0)
        {
            return;
        }

        ref readonly var s = ref hot[source];
        ref readonly var d = ref hot[destination];
        PrefetchArray(s.EgressProgram);
        PrefetchArray(d.IngressProgram);
        PrefetchArray(s.Matchers);
        PrefetchArray(d.Matchers);
    }

    internal static void PrefetchPrograms(EndpointHot[] hot, int source, int destination)
    {
        if ((source | destination) < 0)
        {
            return;
        }

        // A program without an index is read from its code; one with an index from its object, whose fields span two
        // cache lines: both are fetched.
        foreach (ref readonly var p in (hot[source].EgressProgram ?? []).AsSpan())
        {
            PrefetchProgram(in p);
        }

        foreach (ref readonly var p in (hot[destination].IngressProgram ?? []).AsSpan())
        {
            PrefetchProgram(in p);
        }
    }
}
