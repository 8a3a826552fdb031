using System.Collections.Immutable;
using System.Globalization;
using System.Numerics;
using System.Text;
using Palisade.Engine.Evaluation;
using Palisade.Model;
using Palisade.Model.Policies;

namespace Palisade.Engine.Calculation;

/// <summary>
/// Connectivity by equivalence classes: endpoints with the same policy list, the same selector memberships, the same
/// declared ports and the same standing towards every address range in the rules are indistinguishable to policy, so
/// all pairs are answered per class. Each tier program is walked once per local class with a set of remote classes
/// (bitsets), instead of once per pair.
/// </summary>
public sealed partial class CalculationEngine
{
    /// <summary>Computes class connectivity on the given ports, or on the ports destination classes declare.</summary>
    public ClassReport Classes(IReadOnlyList<PortSpec>? ports = null)
    {
        Flush();
        var blocks = CollectBlocks();
        var keyToClass = new Dictionary<string, int>(StringComparer.Ordinal);
        var classMembers = new List<List<int>>();
        var identityKeys = new Dictionary<int, string>();
        var sb = new StringBuilder();

        // The classes standing in each block (a class's members all do: the standing is part of its key).
        var blockClasses = blocks.Select(_ => new List<int>()).ToArray();
        var inBlocks = new List<int>();
        foreach (var handle in endpointIds.Values.Order())
        {
            var e = endpoints[handle]!;
            sb.Clear();
            if (e.HostNetwork)
            {
                sb.Append("host|");
            }
            else
            {
                if (!identityKeys.TryGetValue(e.Identity, out var ik))
                {
                    ik = $"{e.List}|{string.Join(',', identities[e.Identity]!.Matchers.Order())}";
                    identityKeys[e.Identity] = ik;
                }

                sb.Append(ik).Append('|');
            }

            foreach (var p in e.Workload.Ports.OrderBy(p => p.Port).ThenBy(p => p.Protocol.Number).ThenBy(p => p.Name, StringComparer.Ordinal))
            {
                sb.Append(CultureInfo.InvariantCulture, $"{p.Port}/{p.Protocol.Number}/{p.Name};");
            }

            sb.Append('|');
            inBlocks.Clear();
            for (var b = 0; b < blocks.Count; b++)
            {
                if (ComplexRuleMatcher.AnyAddressIn([blocks[b]], e, null))
                {
                    sb.Append(b).Append(',');
                    inBlocks.Add(b);
                }
            }

            if (e.HostNetwork)
            {
                foreach (var a in e.Workload.Addresses)
                {
                    if (nodesByAddress.TryGetValue(a, out var node))
                    {
                        sb.Append("node:").Append(node.Name).Append(',');
                    }
                }
            }

            var key = sb.ToString();
            if (!keyToClass.TryGetValue(key, out var c))
            {
                keyToClass[key] = c = classMembers.Count;
                classMembers.Add([]);
                foreach (var b in inBlocks)
                {
                    blockClasses[b].Add(c);
                }
            }

            classMembers[c].Add(handle);
        }

        var n = classMembers.Count;
        var reps = classMembers.Select(m => m[0]).ToArray();
        var classes = classMembers.Select((members, i) =>
        {
            var w = endpoints[members[0]]!.Workload;
            return new EndpointClass(i, w.Namespace, w.Labels, w.ServiceAccount,
                [.. w.Ports.Select(p => new PortSpec(p.Port, p.Protocol)).Distinct().OrderBy(p => p.Port).ThenBy(p => p.Protocol.Number)],
                [.. members.Select(h => endpoints[h]!.Key).Order(StringComparer.Ordinal)])
            { HostNetwork = w.HostNetwork };
        }).ToImmutableArray();

        // Each selector's member classes, ascending (classes are visited in order).
        var matcherClasses = new Dictionary<int, List<int>>();
        for (var c = 0; c < n; c++)
        {
            var e = endpoints[reps[c]]!;
            if (e.HostNetwork || e.Identity < 0)
            {
                continue;
            }

            foreach (var m in identities[e.Identity]!.Matchers)
            {
                if (!matcherClasses.TryGetValue(m, out var members))
                {
                    matcherClasses[m] = members = [];
                }

                members.Add(c);
            }
        }

        var portList = ports is { Count: > 0 } ? ports.Distinct().ToList() : classes.SelectMany(c => c.Ports).Distinct().OrderBy(p => p.Port).ThenBy(p => p.Protocol.Number).ToList();
        var reach = ImmutableArray.CreateBuilder<ClassReach>();
        var blockSets = new Dictionary<CidrBlock, SparseSet>();
        for (var b = 0; b < blocks.Count; b++)
        {
            blockSets[blocks[b]] = Sparse(blockClasses[b]);
        }

        var context = new ClassWalk(this, reps, n, matcherClasses.ToDictionary(m => m.Key, m => Sparse(m.Value)), blockSets);

        // Sources whose egress some policy restricts (the others send anywhere), numbered: "who may send to D" is kept
        // for them alone, a row of one bit per restricted source for each destination, made once and cleared for each
        // port. Rows of every class would take n squared bits (312 MB at 50k classes, whose zeroing was most of the time
        // of the antrea shape's classes, which restricts no egress).
        var restricted = new List<int>();
        var egressUnrestricted = NewSet(n);
        for (var c = 0; c < n; c++)
        {
            var e = endpoints[reps[c]]!;
            if (e.HostNetwork || e.Egress.Length == 0)
            {
                Set(egressUnrestricted, c);
            }
            else
            {
                restricted.Add(c);
            }
        }

        var sendersTo = new ulong[n][];
        for (var d = 0; d < n; d++)
        {
            sendersTo[d] = NewSet(restricted.Count);
        }

        var all = NewSet(n);
        Fill(all, n);
        var senders = NewSet(n);
        foreach (var port in portList)
        {
            // Destinations judged on this port: with explicit ports every class, otherwise the classes declaring it.
            var destinations = NewSet(n);
            for (var c = 0; c < n; c++)
            {
                if (ports is { Count: > 0 } || classes[c].Ports.Contains(port))
                {
                    Set(destinations, c);
                }
            }

            // Egress of each restricted source over destination classes, transposed into "who may send to D".
            foreach (var row in sendersTo)
            {
                Array.Clear(row);
            }

            for (var j = 0; j < restricted.Count; j++)
            {
                var allowed = context.Allowed(restricted[j], Direction.Egress, port, destinations)!;
                for (var w = 0; w < allowed.Length; w++)
                {
                    var bits = allowed[w];
                    while (bits != 0)
                    {
                        var d = (w << 6) + BitOperations.TrailingZeroCount(bits);
                        bits &= bits - 1;
                        Set(sendersTo[d], j);
                    }
                }
            }

            // For each destination, its senders (unrestricted ones and the restricted ones allowed to it) that its
            // ingress admits, turned into "destinations per sender" for the report.
            var perSource = new List<int>[n];
            for (var d = 0; d < n; d++)
            {
                if (!IsSet(destinations, d))
                {
                    continue;
                }

                Array.Copy(egressUnrestricted, senders, senders.Length);
                var row = sendersTo[d];
                for (var w = 0; w < row.Length; w++)
                {
                    var bits = row[w];
                    while (bits != 0)
                    {
                        var j = (w << 6) + BitOperations.TrailingZeroCount(bits);
                        bits &= bits - 1;
                        Set(senders, restricted[j]);
                    }
                }

                if (context.Allowed(d, Direction.Ingress, port, all) is { } admitted)
                {
                    And(senders, admitted);
                }

                // A class reaches itself only when it has two endpoints (pairs are of distinct endpoints).
                if (classMembers[d].Count < 2)
                {
                    Clear(senders, d);
                }

                for (var w = 0; w < senders.Length; w++)
                {
                    var bits = senders[w];
                    while (bits != 0)
                    {
                        var s = (w << 6) + BitOperations.TrailingZeroCount(bits);
                        bits &= bits - 1;
                        (perSource[s] ??= []).Add(d);
                    }
                }
            }

            for (var s = 0; s < n; s++)
            {
                if (perSource[s] is { } to)
                {
                    reach.Add(new ClassReach(s, port, [.. to]));
                }
            }
        }

        return new ClassReport(classes, [.. portList], reach.ToImmutable());
    }

    /// <summary>Every address range rules and network sets name: an endpoint's standing towards each is part of its class.</summary>
    private List<CidrBlock> CollectBlocks()
    {
        var blocks = new HashSet<CidrBlock>();
        foreach (var p in policies.Values)
        {
            foreach (var r in p.Ingress.Concat(p.Egress))
            {
                foreach (var entity in new[] { r.From, r.To })
                {
                    blocks.UnionWith(entity.NotNets);
                    foreach (var peer in entity.Peers)
                    {
                        blocks.UnionWith(peer.Nets);
                    }
                }
            }
        }

        foreach (var set in networkSets.Values)
        {
            blocks.UnionWith(set.Nets);
        }

        return [.. blocks];
    }

    /// <summary>The nonzero words of a set of classes: their indexes and their bits.</summary>
    private readonly record struct SparseSet(int[] Words, ulong[] Bits);

    /// <summary>The sparse set of classes listed in ascending order (built without a set of every class).</summary>
    private static SparseSet Sparse(List<int> ascending)
    {
        var words = new List<int>();
        var bits = new List<ulong>();
        foreach (var c in ascending)
        {
            if (words.Count == 0 || words[^1] != c >> 6)
            {
                words.Add(c >> 6);
                bits.Add(0);
            }

            bits[^1] |= 1UL << (c & 63);
        }

        return new SparseSet([.. words], [.. bits]);
    }

    /// <summary>
    /// The symbolic walk of one local class's programs over a set of remote classes. A rule naming selectors matches the
    /// classes their members are in, which are mostly few: its set is built and applied word by word over the nonzero
    /// words of the selectors' sets only, not over every class.
    /// </summary>
    private sealed class ClassWalk(CalculationEngine engine, int[] reps, int n, Dictionary<int, SparseSet> matcherClasses, Dictionary<CidrBlock, SparseSet> blockClasses)
    {
        // The sets of one walk, reused from walk to walk (at 22k classes a set is 2.8 KB, several a walk).
        private readonly ulong[] undecided = NewSet(n);
        private readonly ulong[] allowed = NewSet(n);
        private readonly ulong[] passed = NewSet(n);

        /// <summary>A rule's matching classes: every word valid after a dense match, else only the words in <see cref="touched"/>; all zero between rules.</summary>
        private readonly ulong[] matching = NewSet(n);
        private readonly int[] touched = new int[(n + 63) >> 6];

        /// <summary>
        /// The remote classes (within <paramref name="candidates"/>) whose flows with the local class on this port the
        /// local class's policies allow in this direction; null when no policy applies (everything is allowed). The set
        /// is the caller's to read until its next call, never to change.
        /// </summary>
        public ulong[]? Allowed(int localClass, Direction direction, PortSpec port, ulong[] candidates)
        {
            var local = engine.endpoints[reps[localClass]]!;
            if (local.HostNetwork)
            {
                return null;
            }

            var programs = direction == Direction.Ingress ? local.Ingress : local.Egress;
            if (programs.Length == 0)
            {
                return null;
            }

            Array.Copy(candidates, undecided, undecided.Length);
            Array.Clear(allowed);
            foreach (var slot in programs)
            {
                var program = slot.Program;
                Array.Clear(passed);
                var code = program.Code;
                if (program.Chunks is null)
                {
                    Apply(program, localClass, direction, port);
                }
                else
                {
                    foreach (var part in program.Parts)
                    {
                        Apply(part, localClass, direction, port);
                    }
                }

                if ((RuleAction)code[1] == RuleAction.Deny)
                {
                    Array.Clear(undecided);
                }

                Or(undecided, passed);
            }

            Or(allowed, undecided);
            return allowed;
        }

        /// <summary>A program in one piece (or one chunk) over the undecided remote classes, in rule order.</summary>
        private void Apply(TierProgram program, int localClass, Direction direction, PortSpec port)
        {
            var code = program.Code;
            for (var i = 0; i < code[0]; i++)
            {
                if (IsEmpty(undecided))
                {
                    return;
                }

                var words = Matching(program, i, localClass, direction, port, undecided);
                var at = TierProgram.HeaderSize + (TierProgram.RuleSize * i);
                var action = (RuleAction)(code[at] >> 4);
                if (words < 0)
                {
                    for (var w = 0; w < matching.Length; w++)
                    {
                        Decide(action, w);
                    }
                }
                else
                {
                    for (var t = 0; t < words; t++)
                    {
                        Decide(action, touched[t]);
                    }
                }
            }
        }

        /// <summary>Applies a rule's action to the classes it matches in word <paramref name="w"/>, and clears the word for the next rule.</summary>
        private void Decide(RuleAction action, int w)
        {
            var m = matching[w];
            matching[w] = 0;
            switch (action)
            {
                case RuleAction.Allow:
                    allowed[w] |= m;
                    undecided[w] &= ~m;
                    break;
                case RuleAction.Deny:
                    undecided[w] &= ~m;
                    break;
                case RuleAction.Pass:
                    passed[w] |= m;
                    undecided[w] &= ~m;
                    break;
            }
        }

        /// <summary>
        /// The remote classes (among <paramref name="among"/>) that rule <paramref name="i"/> matches, into
        /// <see cref="matching"/>: the count of words set in <see cref="touched"/>, or -1 when every word is.
        /// </summary>
        private int Matching(TierProgram program, int i, int localClass, Direction direction, PortSpec port, ulong[] among)
        {
            var code = program.Code;
            var at = TierProgram.HeaderSize + (TierProgram.RuleSize * i);
            // A simple rule matches the members of its selectors and the classes standing in its IPv4 blocks (a class's
            // standing towards every block is part of its key): sets, unless Calico selectors also name network sets'
            // addresses. Judged one remote class at a time, a rule naming blocks takes its full form (a remote end of
            // several addresses is judged on it).
            var nets = (code[at] & TierProgram.FlagNets) != 0;
            var bySets = (code[at] & TierProgram.FlagSimple) != 0 && !((code[at] & TierProgram.FlagCalico) != 0 && engine.networkSets.Count > 0);
            var simple = bySets && !nets;
            var result = matching;
            var hasNamedPort = false;
            if (bySets)
            {
                for (int k = 0, p = code[at + 3]; k < code[at + 4]; k++, p += TierProgram.PortSize)
                {
                    hasNamedPort |= code[p + 3] >= 0;
                }
            }

            if (!bySets || (direction == Direction.Egress && hasNamedPort))
            {
                // Rules of uncommon shape (and egress rules naming ports, which resolve at each destination) are
                // judged per remote class on its representative.
                for (var w = 0; w < among.Length; w++)
                {
                    var bits = among[w];
                    while (bits != 0)
                    {
                        var c = (w << 6) + BitOperations.TrailingZeroCount(bits);
                        bits &= bits - 1;
                        var (src, dst) = direction == Direction.Ingress ? (reps[c], reps[localClass]) : (reps[localClass], reps[c]);
                        var flow = new FlowRef(engine.endpoints, src, null, dst, null, port.Protocol, port.Port);
                        var remote = engine.walker.RemoteOf(ref flow, direction);
                        var matches = simple
                            ? engine.walker.MatchesSimple(code, at, program, ref flow, ref remote, port.Protocol.HasPorts)
                            : engine.complexRules.Matches(program.Complex[i], ref flow);
                        if (matches)
                        {
                            Set(result, c);
                        }
                    }
                }

                return -1;
            }

            // Protocol and ports are the same for every remote class: judged once on the local representative.
            var probe = direction == Direction.Ingress
                ? new FlowRef(engine.endpoints, -1, null, reps[localClass], null, port.Protocol, port.Port)
                : new FlowRef(engine.endpoints, reps[localClass], null, -1, null, port.Protocol, port.Port);
            var protocol = port.Protocol.Number;
            if ((code[at + 1] >= 0 && code[at + 1] != protocol) || (code[at + 2] >= 0 && code[at + 2] == protocol) ||
                (code[at + 4] > 0 && !VerdictWalker.PortsMatch(code, code[at + 3], code[at + 4], program, ref probe, port.Protocol.HasPorts)))
            {
                return 0;
            }

            if (code[at + 6] == 0 && !nets)
            {
                Array.Copy(among, result, among.Length);
                return -1;
            }

            // The selectors' members and the blocks' classes among the candidates, over their nonzero words only.
            var words = 0;
            for (var k = code[at + 5]; k < code[at + 5] + code[at + 6]; k++)
            {
                if (matcherClasses.TryGetValue(code[k], out var members))
                {
                    words = Add(members, among, words);
                }
            }

            if (nets)
            {
                foreach (var block in program.Complex[i].RemoteNets)
                {
                    words = Add(blockClasses[block], among, words);
                }
            }

            return words;
        }

        /// <summary>Adds a set's classes among the candidates to <see cref="matching"/>, noting each word first set; returns the count of words noted.</summary>
        private int Add(SparseSet set, ulong[] among, int words)
        {
            for (var j = 0; j < set.Words.Length; j++)
            {
                var w = set.Words[j];
                var bits = set.Bits[j] & among[w];
                if (bits == 0)
                {
                    continue;
                }

                if (matching[w] == 0)
                {
                    touched[words++] = w;
                }

                matching[w] |= bits;
            }

            return words;
        }
    }

    private static ulong[] NewSet(int n) => new ulong[(n + 63) >> 6];

    private static void Set(ulong[] set, int i) => set[i >> 6] |= 1UL << (i & 63);

    private static void Clear(ulong[] set, int i) => set[i >> 6] &= ~(1UL << (i & 63));

    private static bool IsSet(ulong[] set, int i) => (set[i >> 6] & (1UL << (i & 63))) != 0;

    private static void Fill(ulong[] set, int n)
    {
        Array.Fill(set, ulong.MaxValue);
        if ((n & 63) != 0)
        {
            set[^1] = (1UL << (n & 63)) - 1;
        }
    }

    private static bool IsEmpty(ulong[] set)
    {
        foreach (var w in set)
        {
            if (w != 0)
            {
                return false;
            }
        }

        return true;
    }

    private static void Or(ulong[] target, ulong[] other)
    {
        for (var i = 0; i < target.Length; i++)
        {
            target[i] |= other[i];
        }
    }

    private static void And(ulong[] target, ulong[] other)
    {
        for (var i = 0; i < target.Length; i++)
        {
            target[i] &= other[i];
        }
    }
}
