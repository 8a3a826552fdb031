using System.Net;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Palisade.Engine.Evaluation;
using Palisade.Model;
using Palisade.Model.Policies;

namespace Palisade.Engine.Calculation;

/// <summary>
/// The verdict walker: judges a flow by walking the tier programs of the local endpoint's policy list; peers are
/// selector index lookups, so no selector is evaluated and nothing is allocated. Semantics equal the reference evaluator.
/// </summary>
/// <remarks>
/// Contract: it owns the endpoints' hot entries (<see cref="Hot"/>, one per endpoint handle: address word, program
/// arrays, peer block), which the upstream stages write as they change and packing lays out densely; it reads them and
/// the immutable programs they point at, and writes nothing, so verdicts never change state (VerdictAllocationTests:
/// a pass over every flow allocates nothing). Cold reads, only for rules of uncommon shape and named ports, go to the
/// endpoints' full state. One rule is tested by <see cref="SimpleRuleTest"/> (the common shape) or
/// <see cref="GeneralRuleWalker"/> (the general form of the rest), both on the program's code.
/// </remarks>
internal sealed class VerdictWalker(CalculationOptions options, List<EndpointState?> endpoints, Dictionary<string, Model.Cluster.NetworkSetInfo> networkSets, SimpleRuleTest simple, GeneralRuleWalker general)
{
    /// <summary>
    /// What a verdict reads of each endpoint, by handle, in one dense array (32 bytes per endpoint, no object hop).
    /// Written by the engine's stages through <see cref="Write"/>, <see cref="Reserve"/> and <see cref="Clear"/> (and
    /// in place by packing); read here.
    /// </summary>
    internal EndpointHot[] Hot = new EndpointHot[1024];

    /// <summary>Grows the entries to hold at least <paramref name="count"/> endpoints (once for a load, rather than doubling as they arrive).</summary>
    public void Reserve(int count)
    {
        if (count > Hot.Length)
        {
            Array.Resize(ref Hot, count);
        }
    }

    /// <summary>Copies an endpoint's fast-path fields into its entry.</summary>
    public void Write(EndpointState e)
    {
        if (e.Id >= Hot.Length)
        {
            Array.Resize(ref Hot, Math.Max(Hot.Length * 2, e.Id + 1));
        }

        Hot[e.Id] = new EndpointHot
        {
            Word = e.HotWord,
            IngressProgram = e.Ingress,
            EgressProgram = e.Egress,
            Matchers = e.Matchers,
        };
    }

    /// <summary>Empties the entry of a handle whose endpoint is gone.</summary>
    public void Clear(int handle) => Hot[handle] = default;

    /// <summary>Judges a flow between two endpoints (by handle) on a destination port.</summary>
    public FastVerdict Evaluate(int source, int destination, Protocol protocol, int port)
    {
        var flow = new FlowRef(endpoints, source, null, destination, null, protocol, port);

        // Ingress first: its chain of dependent reads (the destination's entry, its programs, their codes) is the long
        // one, and the egress side's few reads can then be issued while it waits. Two builds judging the same flows by
        // turns, both orders: (100k, 10k) +7-10%, all-select +8%, antrea +3%, (10k, 1k) within 1%.
        return FastVerdict.IngressFirst(Judge(ref flow, Model.Policies.Direction.Ingress), Judge(ref flow, Model.Policies.Direction.Egress));
    }

    /// <summary>
    /// Judges many flows between endpoints (by handle) on the same protocol: the bulk path of analysis. In a large
    /// engine, while one flow is judged, the data of flows a few places ahead is prefetched, so that memory latency
    /// overlaps with work.
    /// </summary>
    public void Evaluate(ReadOnlySpan<int> sources, ReadOnlySpan<int> destinations, ReadOnlySpan<int> ports, Protocol protocol, Span<FastVerdict> results)
    {
        if (sources.Length != destinations.Length || sources.Length != ports.Length || results.Length < sources.Length)
        {
            throw new ArgumentException("sources, destinations, ports and results must have the same length");
        }

        var n = sources.Length;
        if (endpoints.Count < options.BatchPrefetchFromEndpoints)
        {
            // A small engine's fast-path data stays in cache: prefetching would only cost instructions.
            for (var i = 0; i < n; i++)
            {
                results[i] = EvaluateEgressFirst(sources[i], destinations[i], protocol, ports[i]);
            }

            return;
        }

        // A pipeline of prefetches, each stage reading only pointers the stage before brought into cache: endpoints
        // twelve flows ahead, their program and selector arrays eight ahead, the programs four ahead (the code of a
        // program without an index, the object of one with). By the time a flow is judged, what it reads is (mostly)
        // in cache. A stage's reads are real loads, which wait when what the stage before asked for has not arrived:
        // a fourth stage for the codes of programs with an index, two flows ahead, cost more than it saved (without
        // it, alternated in one process: (100k, 10k) batches 9-10% faster, antrea's, which have no index, a third).
        for (var i = 0; i < n; i++)
        {
            // A flow with an unknown end (handle -1) has nothing of that end's to prefetch; it is judged as alone.
            if (i + 12 < n)
            {
                VerdictPrefetch.PrefetchEndpoints(Hot, sources[i + 12], destinations[i + 12]);
            }

            if (i + 8 < n)
            {
                VerdictPrefetch.PrefetchArrays(Hot, sources[i + 8], destinations[i + 8]);
            }

            if (i + 4 < n)
            {
                VerdictPrefetch.PrefetchPrograms(Hot, sources[i + 4], destinations[i + 4]);
            }

            results[i] = EvaluateEgressFirst(sources[i], destinations[i], protocol, ports[i]);
        }
    }

    /// <summary>
    /// A flow of a batch, judged egress first. Batches measured no gain from the ingress-first order of single flows
    /// (their reads are prefetched, or in cache), and small engines' batches lost 5-8% with it, in both orders of two
    /// builds judging the same flows by turns.
    /// </summary>
    private FastVerdict EvaluateEgressFirst(int source, int destination, Protocol protocol, int port)
    {
        var flow = new FlowRef(endpoints, source, null, destination, null, protocol, port);
        return new FastVerdict(Judge(ref flow, Model.Policies.Direction.Egress), Judge(ref flow, Model.Policies.Direction.Ingress));
    }

    /// <summary>Judges a flow where either end may be an outside address (handle -1 with an address).</summary>
    public FastVerdict Evaluate(int source, IPAddress? sourceAddress, int destination, IPAddress? destinationAddress, Protocol protocol, int port)
    {
        var flow = new FlowRef(endpoints, source, sourceAddress, destination, destinationAddress, protocol, port);
        return new FastVerdict(Judge(ref flow, Model.Policies.Direction.Egress), Judge(ref flow, Model.Policies.Direction.Ingress));
    }

    private DirectionOutcome Judge(ref FlowRef flow, Direction direction)
    {
        var localHandle = direction == Model.Policies.Direction.Egress ? flow.SourceHandle : flow.DestinationHandle;
        if (localHandle < 0)
        {
            return new DirectionOutcome(VerdictReason.NotAWorkload, -1, -1, -1, direction);
        }

        ref readonly var local = ref Hot[localHandle];
        if ((local.Word & EndpointAddress.HostNetworkBit) != 0)
        {
            return new DirectionOutcome(VerdictReason.HostNetwork, -1, -1, -1, direction);
        }

        var programs = direction == Model.Policies.Direction.Ingress ? local.IngressProgram : local.EgressProgram;
        if (programs is null || programs.Length == 0)
        {
            return new DirectionOutcome(VerdictReason.NoPolicyApplies, -1, -1, -1, direction);
        }

        // What rules read of the remote end, loaded once per direction rather than once per rule.
        var remote = RemoteOf(ref flow, direction);
        var hasPorts = flow.Protocol.HasPorts;
        foreach (ref readonly var slot in programs.AsSpan())
        {
            // A program without an index is walked from its code alone: the program object is not read (its tables of
            // blocks, node selectors and port names are, in the rare rule that needs them). One with an index is read as an object.
            int[] code;
            Hit hit;
            if (slot.Plain is not null)
            {
                code = slot.Plain;
                hit = WalkCode(slot.Program, code, ref flow, ref remote, hasPorts);
            }
            else
            {
                var program = slot.Program;
                code = program.Code;
                hit = program.IndexHasCalico && networkSets.Count > 0
                    ? Walk(program, ref flow, ref remote, hasPorts)
                    : WalkIndexed(program, ref flow, ref remote, hasPorts);
            }

            if (hit.Kind == Hit.Decided)
            {
                // The outcome is built once, here, from the deciding rule's words (not carried up through the walks).
                var at = hit.At;
                return new DirectionOutcome((RuleAction)(hit.Code![at] >> 4) == RuleAction.Allow ? VerdictReason.RuleAllowed : VerdictReason.RuleDenied, hit.Code[at + 7], hit.Code[at + 8], hit.Code[2], direction);
            }

            if (hit.Kind != Hit.Passed && (RuleAction)code[1] == RuleAction.Deny)
            {
                return new DirectionOutcome(VerdictReason.TierEndDenied, -1, -1, code[2], direction);
            }
        }

        return new DirectionOutcome(VerdictReason.PassedAllTiers, -1, -1, -1, direction);
    }

    /// <summary>
    /// What a walk found: a rule that decides (its code and offset), a rule that passes to the next tier, or nothing.
    /// Sixteen bytes, returned in registers through the walks.
    /// </summary>
    private readonly struct Hit(int[]? code, int at, int kind)
    {
        public const int None = 0;
        public const int Passed = 1;
        public const int Decided = 2;

        public readonly int[]? Code = code;
        public readonly int At = at;
        public readonly int Kind = kind;
    }

    /// <summary>Every rule of a tier program in order: the first Allow or Deny decides, Pass ends the tier.</summary>
    private Hit Walk(TierProgram program, ref FlowRef flow, ref RemoteView remote, bool hasPorts)
    {
        if (program.Chunks is not null)
        {
            foreach (var part in program.Parts)
            {
                var result = Walk(part, ref flow, ref remote, hasPorts);
                if (result.Kind != Hit.None)
                {
                    return result;
                }
            }

            return default;
        }

        return WalkCode(program, program.Code, ref flow, ref remote, hasPorts);
    }

    /// <summary>Every rule of a program in one piece (<paramref name="code"/> is its code), in order.</summary>
    private Hit WalkCode(TierProgram program, int[] code, ref FlowRef flow, ref RemoteView remote, bool hasPorts)
    {
        var count = code[0];
        if (code[TierProgram.HeaderFilter] > 0 && remote.IsPod && networkSets.Count == 0)
        {
            return WalkFiltered(program, code, count, ref flow, ref remote, hasPorts);
        }

        for (var i = 0; i < count; i++)
        {
            var hit = Try(program, code, i, ref flow, ref remote, hasPorts, throughIndex: false);
            if (hit.Kind != Hit.None)
            {
                return hit;
            }
        }

        return default;
    }

    /// <summary>
    /// The rules of a program in one piece for a pod at the remote end, without network sets (which Calico selectors
    /// also match by address): first, without a branch, which rules' filters share a bit with the pod's signature, 64
    /// rules at a time; then only those, in order. The rest cannot match and their words are not read: a few cache
    /// lines of filters rather than every rule's, and no mispredicted branch per rule.
    /// </summary>
    private Hit WalkFiltered(TierProgram program, int[] code, int count, ref FlowRef flow, ref RemoteView remote, bool hasPorts)
    {
        var filter = MemoryMarshal.Cast<int, ulong>(code.AsSpan(code[TierProgram.HeaderFilter], TierProgram.FilterSize * count));
        var (low, high) = (remote.SignatureLow, remote.SignatureHigh);
        for (var block = 0; block < count; block += 64)
        {
            var end = Math.Min(count, block + 64);
            ulong candidates = 0;
            for (var r = block; r < end; r++)
            {
                var shared = (filter[2 * r] & low) | (filter[(2 * r) + 1] & high);
                candidates |= ((shared | (0UL - shared)) >> 63) << (r - block);
            }

            while (candidates != 0)
            {
                var hit = Try(program, code, block + System.Numerics.BitOperations.TrailingZeroCount(candidates), ref flow, ref remote, hasPorts, throughIndex: false);
                if (hit.Kind != Hit.None)
                {
                    return hit;
                }

                candidates &= candidates - 1;
            }
        }

        return default;
    }

    [ThreadStatic]
    private static int[]? candidateScratch;

    /// <summary>Index key lists up to this long are scanned with vector compares rather than binary searched.</summary>
    private const int ScanKeys = 128;

    /// <summary>
    /// A long tier program through its index: only the rules naming one of the remote end's selectors, plus the rules
    /// every flow must meet, in program order — the same answer as <see cref="Walk"/>, without visiting the rest.
    /// </summary>
    private Hit WalkIndexed(TierProgram program, ref FlowRef flow, ref RemoteView remote, bool hasPorts)
    {
        var always = program.Always;
        var scratch = candidateScratch ??= new int[256];
        if (scratch.Length < always.Length)
        {
            candidateScratch = scratch = new int[always.Length * 2];
        }

        always.CopyTo(scratch, 0);
        var n = always.Length;

        // Each source of candidates is ascending and without repeats: with one source, they need no sorting.
        var sources = n > 0 ? 1 : 0;
        if (remote.IsPod)
        {
            if (program.IndexKeys is { } keys)
            {
                var starts = program.IndexStarts;
                var flat = program.IndexPositions;
                if (keys.Length >= Vector256<int>.Count && keys.Length <= ScanKeys && Vector256.IsHardwareAccelerated)
                {
                    // A short key list is scanned eight keys at a time for each selector of the remote end: a few
                    // vector compares, where a binary search takes a mispredicted branch at almost every step.
                    ref var first = ref MemoryMarshal.GetArrayDataReference(keys);
                    var lastBlock = keys.Length - Vector256<int>.Count;
                    foreach (var m in remote.Matchers.AsSpan(TierProgram.PeerBlockHeader))
                    {
                        // A selector whose signature bit no key has is no key: not scanned for (most are not).
                        if (!program.MayBeKey(m))
                        {
                            continue;
                        }

                        var needle = Vector256.Create(m);
                        var k = -1;
                        for (var c = 0; ; c += Vector256<int>.Count)
                        {
                            // The last block is the last eight keys, overlapping the one before when the count is
                            // not a multiple of eight.
                            var at = Math.Min(c, lastBlock);
                            var hits = Vector256.Equals(Vector256.LoadUnsafe(ref first, (nuint)at), needle).ExtractMostSignificantBits();
                            if (hits != 0)
                            {
                                k = at + System.Numerics.BitOperations.TrailingZeroCount(hits);
                                break;
                            }

                            if (at == lastBlock)
                            {
                                break;
                            }
                        }

                        if (k >= 0)
                        {
                            var count = starts[k + 1] - starts[k];
                            scratch = Reserve(scratch, n + count);
                            flat.AsSpan(starts[k], count).CopyTo(scratch.AsSpan(n));
                            n += count;
                            sources++;
                        }
                    }
                }
                else
                {
                    // Both sides ascending: each selector of the remote end is searched for past the last one found.
                    var from = 0;
                    foreach (var m in remote.Matchers.AsSpan(TierProgram.PeerBlockHeader))
                    {
                        if (!program.MayBeKey(m))
                        {
                            continue;
                        }

                        var k = keys.AsSpan(from).BinarySearch(m);
                        if (k < 0)
                        {
                            from += ~k;
                            if (from == keys.Length)
                            {
                                break;
                            }

                            continue;
                        }

                        from += k;
                        var count = starts[from + 1] - starts[from];
                        scratch = Reserve(scratch, n + count);
                        flat.AsSpan(starts[from], count).CopyTo(scratch.AsSpan(n));
                        n += count;
                        sources++;
                        from++;
                    }
                }
            }
            else
            {
                var index = program.Index!;
                foreach (var m in remote.Matchers.AsSpan(TierProgram.PeerBlockHeader))
                {
                    if (index.TryGetValue(m, out var positions))
                    {
                        scratch = Reserve(scratch, n + positions.Length);
                        positions.CopyTo(scratch, n);
                        n += positions.Length;
                        sources++;
                    }
                }
            }
        }

        var candidates = scratch.AsSpan(0, n);
        if (sources > 1)
        {
            candidates.Sort();
        }

        var last = -1;
        var parts = program.Chunks is null ? null : program.Parts;
        var codes = program.PartCodes;
        var port = hasPorts ? flow.Port : -1;
        foreach (var i in candidates)
        {
            if (i == last)
            {
                continue;
            }

            last = i;
            var (part, partCode, rule) = parts is null
                ? (program, program.Code, i)
                : (parts[i >> TierProgram.ChunkShift], codes[i >> TierProgram.ChunkShift], i & TierProgram.MaxChunkRules);
            var single = part.SinglePorts[rule];
            if (single >= 0 && single != port)
            {
                continue;
            }

            var hit = Try(part, partCode, rule, ref flow, ref remote, hasPorts, throughIndex: true);
            if (hit.Kind != Hit.None)
            {
                return hit;
            }
        }

        return default;
    }

    /// <summary>The scratch array, grown (keeping its contents) to hold at least <paramref name="size"/>.</summary>
    private static int[] Reserve(int[] scratch, int size)
    {
        if (scratch.Length >= size)
        {
            return scratch;
        }

        Array.Resize(ref scratch, Math.Max(size, scratch.Length * 2));
        candidateScratch = scratch;
        return scratch;
    }

    /// <summary>One rule: whether it decides the flow (Allow/Deny), passes it to the next tier, or does not apply.</summary>
    /// <remarks>
    /// <paramref name="code"/> is <paramref name="program"/>'s, passed in so that a chunk's rules are reached without a
    /// hop through the chunk's object. <paramref name="throughIndex"/>: the rule was found through the program's index,
    /// so if it is an indexed rule (simple, selectors only), one of its selectors is the remote end's already.
    /// </remarks>
    private Hit Try(TierProgram program, int[] code, int i, ref FlowRef flow, ref RemoteView remote, bool hasPorts, bool throughIndex)
    {
        var at = TierProgram.HeaderSize + (TierProgram.RuleSize * i);
        var flags = code[at];
        if ((flags & TierProgram.FlagSimple) != 0 ? !simple.Matches(code, at, program, ref flow, ref remote, hasPorts, throughIndex) : !general.Matches(code, at, program, ref flow))
        {
            return default;
        }

        return (RuleAction)(flags >> 4) switch
        {
            RuleAction.Log => default,
            RuleAction.Pass => new Hit(null, 0, Hit.Passed),
            _ => new Hit(code, at, Hit.Decided),
        };
    }

    /// <summary>
    /// Whether rule <paramref name="i"/> of <paramref name="program"/> (whose code is <paramref name="code"/>) matches
    /// the flow, whatever its action: the walker's own test, for the flow tracer and class analysis.
    /// </summary>
    internal bool RuleMatches(TierProgram program, int[] code, int i, ref FlowRef flow, ref RemoteView remote, bool hasPorts)
    {
        var at = TierProgram.HeaderSize + (TierProgram.RuleSize * i);
        return (code[at] & TierProgram.FlagSimple) != 0 ? simple.Matches(code, at, program, ref flow, ref remote, hasPorts) : general.Matches(code, at, program, ref flow);
    }

    internal RemoteView RemoteOf(ref FlowRef flow, Direction direction)
    {
        var remoteHandle = direction == Model.Policies.Direction.Ingress ? flow.SourceHandle : flow.DestinationHandle;
        var remote = new RemoteView { Handle = remoteHandle, Address = direction == Model.Policies.Direction.Ingress ? flow.SourceAddress : flow.DestinationAddress, Matchers = TierProgram.NoPeers };
        if (remoteHandle >= 0)
        {
            ref readonly var r = ref Hot[remoteHandle];
            if (remote.Address is null)
            {
                remote.AddressWord = r.Word & EndpointAddress.AddressBits;
                remote.AddressLoaded = true;
            }

            if ((r.Word & (EndpointAddress.HostNetworkBit | EndpointAddress.IdentityBit)) == EndpointAddress.IdentityBit)
            {
                remote.IsPod = true;
                // A block's first four ints are its signature's two words (every block has them): read as words.
                var block = r.Matchers;
                remote.Matchers = block;
                ref var words = ref System.Runtime.CompilerServices.Unsafe.As<int, ulong>(ref MemoryMarshal.GetArrayDataReference(block));
                remote.SignatureLow = words;
                remote.SignatureHigh = System.Runtime.CompilerServices.Unsafe.Add(ref words, 1);
            }
        }

        return remote;
    }
}
