using Palisade.Model;
using Palisade.Model.Policies;
using Palisade.Model.Selectors;

namespace Palisade.Engine.Calculation;

/// <summary>A peer compiled for the fast path: identity conditions as a selector index entry, addresses as CIDRs.</summary>
internal sealed class CompiledPeer
{
    /// <summary>The selector index entry for the identity conditions, or -1 when the peer has none.</summary>
    public int Matcher = -1;

    public CidrBlock[] Nets = [];

    public Selector? NodeSelector;

    public bool Calico;
}

/// <summary>One end of a rule compiled for the fast path.</summary>
internal sealed class CompiledEntity
{
    public static readonly CompiledEntity Any = new() { IsAny = true };

    public bool IsAny;

    /// <summary>Any of these; empty: any entity.</summary>
    public CompiledPeer[] Peers = [];

    /// <summary>Selector index entry of the notSelector, or -1.</summary>
    public int NotMatcher = -1;

    public CidrBlock[] NotNets = [];

    public PortMatch[] Ports = [];

    public PortMatch[] NotPorts = [];
}

/// <summary>A port condition flattened for the fast path: a range, or a name resolved at the destination; any protocol when -1.</summary>
internal readonly record struct FastPort(int First, int Last, int Protocol, string? Name);

/// <summary>A rule compiled for the fast path.</summary>
internal sealed class CompiledRule
{
    public required Rule Source;
    public RuleAction Action;
    public int Protocol = -1;
    public int NotProtocol = -1;
    public bool RequiresIcmpType;
    public int IpVersion;
    public required CompiledEntity From;
    public required CompiledEntity To;

    /// <summary>
    /// Set when the rule has the common shape — the remote end named only by selectors (or anything), destination
    /// ports only, no exclusions — so that it is judged on flat fields: the remote identity's sorted selector list and
    /// the port ranges, with no pointer chasing.
    /// </summary>
    public bool Simple;

    /// <summary>For simple rules: the selectors naming the remote end (any of them), sorted; empty (with no <see cref="RemoteNets"/>) means anything.</summary>
    public int[] RemoteMatchers = [];

    /// <summary>For simple rules: IPv4 blocks naming the remote end by address (any of them, or of the selectors).</summary>
    public CidrBlock[] RemoteNets = [];

    /// <summary>For simple rules: the destination ports (any of them); empty means any port.</summary>
    public FastPort[] Ports = [];

    /// <summary>For simple rules whose selectors are Calico's: they can also match addresses in network sets.</summary>
    public bool RemoteCalico;
}

/// <summary>A policy known to the engine: its model form, tier, subject and compiled rules.</summary>
internal sealed class PolicyState
{
    public required int Id;

    /// <summary>Unique to this version of the policy in this engine (ids are reused; stamps are not).</summary>
    public required long Stamp;
    public required string Key;
    public required Policy Policy;
    public required TierState Tier;
    public int Subject = -1;
    public CompiledRule[] Ingress = [];
    public CompiledRule[] Egress = [];

    /// <summary>Every selector index entry this policy holds a reference on (subject, peers, not-selectors).</summary>
    public List<int> Matchers = [];

    /// <summary>Those of <see cref="Matchers"/> taken as rules' peers (each time), which the engine counts (<c>peerRefs</c>).</summary>
    public List<int> PeerMatchers = [];

    public CompiledRule[] Rules(Direction d) => d == Direction.Ingress ? Ingress : Egress;
}

/// <summary>A tier known to the engine.</summary>
internal sealed class TierState
{
    public required int Id;
    public required Tier Tier;
    public int Policies;
}

/// <summary>
/// The rules of one tier's policies for one direction, encoded into one contiguous int array and shared by every list
/// whose policies in that tier are the same (an admin tier's program is typically shared cluster-wide and stays in
/// cache). Long programs carry an index from remote selector to the rules that name it, so that a flow is checked
/// only against rules that can match it. Rules of uncommon shape are in the code too, in their general form
/// (<see cref="GeneralRuleCode"/>); what is not a number is numbered in the program's tables (<see cref="Names"/>,
/// <see cref="Blocks"/>, <see cref="NodeSelectors"/>). A very long program is kept in chunks (<see cref="Chunks"/>),
/// each laid out as below, so that a policy edit rebuilds one chunk.
/// </summary>
/// <remarks>
/// Layout: header [rules, endAction, tier, filterStart]; per rule [flags, protocol, notProtocol, portStart, portCount,
/// matcherStart, matcherCount, policy, ruleIndex, and the 128-bit signature of the rule's selectors as four ints] with
/// flags bit 1 simple, bit 2 Calico remote, action in bits 4..7; per port [first, last, protocol, nameIndex]; then the
/// rules' selectors (for a rule that is not simple, matcherStart is where its general form starts, and matcherCount
/// is 0); then the general forms; then, from filterStart, each rule's filter: the 128-bit pattern (four words) a pod at the remote
/// end must share a bit with, by its selectors' signature, for the rule to match it (all ones for a rule that may match
/// any remote end). Only a program without an index, of <see cref="FilterFrom"/> rules or more, has filters (else
/// filterStart is 0).
/// </remarks>
internal sealed class TierProgram
{
    public const int HeaderSize = 4;

    /// <summary>The header word holding where the rules' filter starts (see the layout).</summary>
    public const int HeaderFilter = 3;

    /// <summary>Words of a rule's filter.</summary>
    public const int FilterSize = 4;

    /// <summary>Programs without an index of at least this many rules have filters (shorter ones are walked as they are).</summary>
    public const int FilterFrom = 4;
    public const int RuleSize = 13;
    public const int PortSize = 4;
    public const int FlagSimple = 1;
    public const int FlagCalico = 2;

    /// <summary>A simple rule that also names IPv4 blocks: they follow its selectors, as a count and then per block its base, mask, number of exceptions and their bases and masks.</summary>
    public const int FlagNets = 4;

    public required int[] Code;

    /// <summary>Set once <see cref="Code"/> has been copied into the dense layout after a load (see <see cref="VerdictLayout"/>).</summary>
    public bool Packed;

    /// <summary>
    /// The rules the program was compiled from, in program order: what the compiler indexes chunks by, and what class
    /// analysis reads simple rules' blocks from. Verdicts never read them (the code holds every rule).
    /// </summary>
    public required CompiledRule[] Rules;

    /// <summary>The port names the code numbers.</summary>
    public required string[] Names;

    /// <summary>The blocks general forms number.</summary>
    public CidrBlock[] Blocks = [];

    /// <summary>The node selectors general forms number.</summary>
    public Selector[] NodeSelectors = [];

    /// <summary>
    /// Per rule, its one port when a simple rule names exactly one single numeric port, else -1: four bytes a rule, so
    /// that an indexed walk passes over rules for other ports without reading their code (a flow on another port, or
    /// without ports, cannot match them).
    /// </summary>
    public int[] SinglePorts = [];

    /// <summary>For long chunked programs: remote selector → encoded positions of the simple rules naming it, ascending.</summary>
    public Dictionary<int, int[]>? Index;

    /// <summary>
    /// For long programs in one piece, the same index flattened: the selectors, ascending; where each one's positions
    /// start in <see cref="IndexPositions"/> (one more entry than keys, the last the end); the positions, ascending per
    /// selector. A few cache lines a flow searches, rather than a hash table's buckets and entries per selector.
    /// </summary>
    public int[]? IndexKeys;

    /// <summary>
    /// The signature of <see cref="IndexKeys"/> (their <see cref="SignatureBit"/>s): a selector of the remote end whose
    /// bit is not in it is no key, and is not searched for.
    /// </summary>
    public ulong KeySignatureLow;
    public ulong KeySignatureHigh;
    public int[] IndexStarts = [];
    public int[] IndexPositions = [];

    /// <summary>Whether <paramref name="matcher"/>'s signature bit is one of <see cref="IndexKeys"/>' (if not, it is no key).</summary>
    public bool MayBeKey(int matcher)
    {
        // Without a branch on which word (it would go either way at random): the high word where bit 6 is set, and a
        // shift by the bit's low six.
        var bit = SignatureBit(matcher);
        var (low, high) = (KeySignatureLow, KeySignatureHigh);
        var word = low ^ ((low ^ high) & (0UL - (ulong)(bit >> 6)));
        return ((word >> (bit & 63)) & 1) != 0;
    }

    /// <summary>Whether the program has a selector index (either form).</summary>
    public bool Indexed => Index is not null || IndexKeys is not null;

    /// <summary>For long programs: positions of the rules every flow must be checked against, ascending.</summary>
    public int[] Always = [];

    /// <summary>Whether indexed rules include Calico selectors, which also match network-set addresses: with network sets present the index is bypassed.</summary>
    public bool IndexHasCalico;

    public int RefCount;

    /// <summary>
    /// For long runs: the program in chunks of whole policies, so that adding or removing one policy rebuilds one
    /// chunk and patches the index instead of recompiling the run. Then <see cref="Code"/> is the header alone (its
    /// rule count is the chunks' total) and <see cref="Index"/> and <see cref="Always"/> hold chunk-encoded positions
    /// (<see cref="Position"/>). Null for a program in one piece.
    /// </summary>
    public TierChunk[]? Chunks;

    /// <summary>The chunks' programs, in chunk order (what the fast path reaches an encoded position through).</summary>
    public TierProgram[] Parts = [];

    /// <summary>The chunks' codes, in chunk order: the fast path's first stop for an encoded position.</summary>
    public int[][] PartCodes = [];

    /// <summary>Bits of an encoded position that number the rule within its chunk.</summary>
    public const int ChunkShift = 16;

    /// <summary>The most rules a chunk can hold (positions within a chunk must fit below <see cref="ChunkShift"/>).</summary>
    public const int MaxChunkRules = (1 << ChunkShift) - 1;

    public int RuleCount => Code[0];

    /// <summary>A rule's position in a chunked program: its chunk and its index there, ordered as the program is.</summary>
    public static int Position(int chunk, int rule) => (chunk << ChunkShift) | rule;

    /// <summary>The bit a selector sets in a 128-bit signature: a quick test that most non-members fail.</summary>
    public static int SignatureBit(int matcher) => (int)(((ulong)(uint)matcher * 0x9E3779B97F4A7C15UL) >> 57);

    /// <summary>
    /// Ints of a peer block before its selectors. A peer block is a remote end's peer selectors as the fast path reads
    /// them: their signature (two words of 64 bits, as four ints), then the sorted selectors. Every pod's signature has
    /// bit 0, so that a rule open to any remote end (its filter all ones) lets through a pod no selector holds; a
    /// selector whose own bit is 0 shares it, and a filter may let through what cannot match, never the other way.
    /// </summary>
    public const int PeerBlockHeader = 4;

    /// <summary>Writes a peer block's signature (its first words) from its selectors (the rest).</summary>
    public static void WriteSignature(Span<int> block)
    {
        var (low, high) = Signature(block[PeerBlockHeader..]);
        low |= 1;
        (block[0], block[1], block[2], block[3]) = ((int)low, (int)(low >> 32), (int)high, (int)(high >> 32));
    }

    /// <summary>The peer block of a pod in no peer selector.</summary>
    public static readonly int[] NoPeers = NoPeersBlock();

    private static int[] NoPeersBlock()
    {
        var block = new int[PeerBlockHeader];
        WriteSignature(block);
        return block;
    }

    /// <summary>The 128-bit signature of a set of selectors: each one's <see cref="SignatureBit"/> set, as two words.</summary>
    public static (ulong Low, ulong High) Signature(ReadOnlySpan<int> matchers)
    {
        ulong low = 0, high = 0;
        foreach (var m in matchers)
        {
            var bit = SignatureBit(m);
            if (bit < 64)
            {
                low |= 1UL << bit;
            }
            else
            {
                high |= 1UL << (bit - 64);
            }
        }

        return (low, high);
    }
}

/// <summary>
/// A program as endpoints hold it. A program without an index comes with its code, so that the fast path walks it
/// straight from the endpoint's array, one hop fewer than through the program object; a program with an index (or
/// chunks) is walked through the object, and <see cref="Plain"/> is null. Programs never change once built: a changed
/// program is a new one, written into the array afresh.
/// </summary>
internal readonly struct ProgramRef(TierProgram program)
{
    public readonly int[]? Plain = program.Indexed ? null : program.Code;
    public readonly TierProgram Program = program;
}

/// <summary>Consecutive policies of a long tier program, compiled on their own (no index; the program indexes them).</summary>
internal sealed class TierChunk
{
    public required PolicyState[] Policies;

    /// <summary>The chunk's rules as a program in one piece (its end action is the program's, never read here).</summary>
    public required TierProgram Program;

    /// <summary>Whether a simple rule here names Calico selectors (see <see cref="TierProgram.IndexHasCalico"/>).</summary>
    public bool HasCalico;
}

/// <summary>
/// What makes two tier runs the same: the tier and the policy versions. A version is one <see cref="PolicyState"/>
/// (its stamp is unique and never reused), so versions compare by reference. Runs hold their policies in precedence
/// order, a total order, so the set of versions decides the run; the hash is a sum over the set, which an edit updates
/// by one term (<see cref="With"/>) instead of reading every policy again. A run of a policy that changed or left can
/// never be matched again, so nothing has to find and forget such runs: they go when the last list holding them lets go.
/// </summary>
internal readonly struct TierRunKey : IEquatable<TierRunKey>
{
    private readonly long sum;

    public TierRunKey(int tier, PolicyState[] policies)
    {
        Tier = tier;
        Policies = policies;
        foreach (var p in policies)
        {
            sum += Term(p);
        }
    }

    private TierRunKey(int tier, PolicyState[] policies, long sum)
    {
        Tier = tier;
        Policies = policies;
        this.sum = sum;
    }

    /// <summary>The key of this run's tier with <paramref name="policy"/> added to or removed from its policies, now <paramref name="policies"/>.</summary>
    public TierRunKey With(PolicyState[] policies, PolicyState policy, bool added) =>
        new(Tier, policies, added ? sum + Term(policy) : sum - Term(policy));

    private static long Term(PolicyState p) => (long)((ulong)p.Stamp * 0x9E3779B97F4A7C15UL ^ ((ulong)p.Stamp >> 29));

    public int Tier { get; }

    public PolicyState[] Policies { get; }

    public bool Equals(TierRunKey other)
    {
        if (sum != other.sum || Tier != other.Tier || Policies.Length != other.Policies.Length)
        {
            return false;
        }

        for (var i = 0; i < Policies.Length; i++)
        {
            if (!ReferenceEquals(Policies[i], other.Policies[i]))
            {
                return false;
            }
        }

        return true;
    }

    public override bool Equals(object? obj) => obj is TierRunKey k && Equals(k);

    public override int GetHashCode() => HashCode.Combine(Tier, sum);
}

/// <summary>
/// The policies of one tier that apply to some identities, in precedence order, with their programs: shared by every
/// list that has exactly these policies in that tier (a cluster-wide tier is one run for the whole cluster), so that a
/// change to it is made once, not once per list or endpoint.
/// </summary>
internal sealed class TierRun
{
    public required TierState Tier;
    public required PolicyState[] Policies;
    public required TierRunKey Key;

    /// <summary>The tier's program for ingress; null when none of the policies governs ingress.</summary>
    public TierProgram? Ingress;

    /// <summary>The tier's program for egress; null when none of the policies governs egress.</summary>
    public TierProgram? Egress;

    public int RefCount;
}

/// <summary>A run of policies of one tier in a policy list, with the tier's end action.</summary>
internal readonly record struct TierSegment(int Start, int End, RuleAction EndAction, int Tier);

/// <summary>
/// An ordered policy list shared by every identity with the same subject selectors: its tier runs in tier order, and
/// the programs the fast path walks.
/// </summary>
internal sealed class PolicyList
{
    public required int Id;
    public required int[] Subjects;
    public int RefCount;
    public bool Dirty = true;
    public TierRun[] Runs = [];
    public ProgramRef[] IngressProgram = [];
    public ProgramRef[] EgressProgram = [];

    /// <summary>Endpoints using this list (by handle): they hold references to its programs, renewed on publish.</summary>
    public readonly IntSet Endpoints = new();

    /// <summary>Policies added to or removed from this list's subjects since it was last built, applied as edits.</summary>
    public List<(PolicyState Policy, bool Added)> Edits = [];

    /// <summary>Set when the list must be rebuilt from its subjects (a tier changed), not just edited.</summary>
    public bool NeedsRebuild;

    /// <summary>The policies in evaluation order (a view over the runs; nothing is copied).</summary>
    public IReadOnlyList<Policy> Policies => new RunView(Runs);

    private sealed class RunView(TierRun[] runs) : IReadOnlyList<Policy>
    {
        public int Count => runs.Sum(r => r.Policies.Length);

        public Policy this[int index]
        {
            get
            {
                foreach (var r in runs)
                {
                    if (index < r.Policies.Length)
                    {
                        return r.Policies[index].Policy;
                    }

                    index -= r.Policies.Length;
                }

                throw new ArgumentOutOfRangeException(nameof(index));
            }
        }

        public IEnumerator<Policy> GetEnumerator() => runs.SelectMany(r => r.Policies.Select(p => p.Policy)).GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
