using System.Runtime.InteropServices;
using Palisade.Model;
using Palisade.Model.Policies;

namespace Palisade.Engine.Calculation;

/// <summary>
/// The tier-program compiler: turns one tier's policies (in precedence order) into the flat program verdicts walk
/// (<see cref="TierProgram"/>), builds a long one in chunks of whole policies, and splices one policy in or out of a
/// chunked program by rebuilding the one chunk it falls in.
/// </summary>
/// <remarks>
/// Contract: a pure function of its input and the options. It reads only the policies' compiled rules (selector ids
/// already assigned by the selector index) and never any engine table, so the same policies give the same program, and
/// a spliced program judges every flow as a program built afresh from the same policies (LongProgramTests,
/// IncrementalEquivalenceTests with chunk options). Programs are immutable once returned: packing may copy their codes,
/// never change them.
/// </remarks>
internal sealed class TierProgramCompiler(CalculationOptions options)
{
    public TierProgram? Build(PolicyState[] policies, TierState tier, Direction direction)
    {
        var count = 0;
        foreach (var p in policies)
        {
            count += p.Policy.Governs(direction) ? 1 : 0;
        }

        if (count == 0)
        {
            return null;
        }

        var governing = new List<PolicyState>(count);
        var rules = 0;
        foreach (var p in policies)
        {
            if (p.Policy.Governs(direction))
            {
                governing.Add(p);
                rules += p.Rules(direction).Length;
            }
        }

        var segment = new TierSegment(0, governing.Count, tier.Tier.EndAction, tier.Id);
        if (rules <= options.ChunkThreshold)
        {
            return BuildTierProgram(CollectionsMarshal.AsSpan(governing), segment, direction, options.IndexThreshold, filtered: true);
        }

        var chunks = new List<TierChunk>();
        var start = 0;
        var filled = 0;
        for (var i = 0; i < governing.Count; i++)
        {
            filled += governing[i].Rules(direction).Length;
            if (filled >= options.ChunkRules || i == governing.Count - 1)
            {
                if (filled > TierProgram.MaxChunkRules)
                {
                    // A policy too long to number within a chunk: the program stays in one piece.
                    return BuildTierProgram(CollectionsMarshal.AsSpan(governing), segment, direction, options.IndexThreshold, filtered: true);
                }

                chunks.Add(BuildChunk(governing.GetRange(start, i + 1 - start).ToArray(), segment, direction));
                (start, filled) = (i + 1, 0);
            }
        }

        return AssembleChunks([.. chunks], segment, rules);
    }

    private static TierChunk BuildChunk(PolicyState[] policies, TierSegment tier, Direction direction)
    {
        var program = BuildTierProgram(policies, tier with { End = policies.Length }, direction, indexThreshold: int.MaxValue, filtered: false);
        var hasCalico = false;
        foreach (var rule in program.Rules)
        {
            hasCalico |= IsIndexed(rule) && rule.RemoteCalico;
        }

        return new TierChunk { Policies = policies, Program = program, HasCalico = hasCalico };
    }

    /// <summary>Whether the selector index lists a rule (under each selector it names); other rules are always checked.</summary>
    internal static bool IsIndexed(CompiledRule rule) => IsSimple(rule) && rule.RemoteMatchers.Length > 0 && rule.RemoteNets.Length == 0;

    /// <summary>A chunked program over <paramref name="chunks"/>, with its index built from scratch.</summary>
    private static TierProgram AssembleChunks(TierChunk[] chunks, TierSegment tier, int rules)
    {
        var index = new Dictionary<int, List<int>>();
        var always = new List<int>();
        for (var c = 0; c < chunks.Length; c++)
        {
            AddPositions(chunks[c], c, index, always);
        }

        return new TierProgram
        {
            Code = [rules, (int)tier.EndAction, tier.Tier, 0],
            Rules = [],
            Names = [],
            Chunks = chunks,
            Parts = [.. chunks.Select(c => c.Program)],
            PartCodes = [.. chunks.Select(c => c.Program.Code)],
            Index = index.ToDictionary(p => p.Key, p => p.Value.ToArray()),
            Always = [.. always],
            IndexHasCalico = chunks.Any(c => c.HasCalico),
        };
    }

    /// <summary>Appends the encoded positions of chunk <paramref name="c"/>'s rules to the index and the always-checked list.</summary>
    private static void AddPositions(TierChunk chunk, int c, Dictionary<int, List<int>> index, List<int> always)
    {
        var complex = chunk.Program.Rules;
        for (var i = 0; i < complex.Length; i++)
        {
            var position = TierProgram.Position(c, i);
            if (!IsIndexed(complex[i]))
            {
                always.Add(position);
                continue;
            }

            foreach (var m in complex[i].RemoteMatchers)
            {
                if (!index.TryGetValue(m, out var positions))
                {
                    index[m] = positions = [];
                }

                positions.Add(position);
            }
        }
    }

    /// <summary>
    /// A chunked program with one policy more or less: the chunk it falls in is rebuilt, every other chunk is shared,
    /// and only the index entries of selectors that chunk names are rewritten. Null when the chunk would grow past
    /// four times its fill or the last policy leaves (the program is then built afresh).
    /// </summary>
    public TierProgram? Splice(TierProgram program, PolicyState policy, bool added, Direction direction)
    {
        var chunks = program.Chunks!;
        var c = ChunkOf(chunks, policy);
        if (!added && Array.IndexOf(chunks[c].Policies, policy) < 0)
        {
            // Two versions of one policy compare equal: the one leaving may sit in the next chunk.
            c = Array.FindIndex(chunks, ch => Array.IndexOf(ch.Policies, policy) >= 0);
            if (c < 0)
            {
                return program;
            }
        }

        var old = chunks[c];
        var policies = PolicyPrecedence.WithPolicy(old.Policies, policy, added);
        if (ReferenceEquals(policies, old.Policies))
        {
            return program;
        }

        var rules = 0;
        foreach (var p in policies)
        {
            rules += p.Rules(direction).Length;
        }

        if (rules > Math.Min(4 * options.ChunkRules, TierProgram.MaxChunkRules) || (policies.Length == 0 && Array.TrueForAll(chunks, ch => ch == old || ch.Policies.Length == 0)))
        {
            // Too long a chunk, or no policy left for this direction (then there is no program: the tier does not
            // apply, rather than ending in its action): built afresh.
            return null;
        }

        var code = program.Code;
        var tier = new TierSegment(0, policies.Length, (RuleAction)code[1], code[2]);
        var chunk = BuildChunk(policies, tier, direction);
        var nextChunks = (TierChunk[])chunks.Clone();
        nextChunks[c] = chunk;

        // The chunk's new positions, and every selector either version of the chunk is indexed under.
        var fresh = new Dictionary<int, List<int>>();
        var freshAlways = new List<int>();
        AddPositions(chunk, c, fresh, freshAlways);
        var touched = new HashSet<int>(fresh.Keys);
        foreach (var rule in old.Program.Rules)
        {
            if (IsIndexed(rule))
            {
                touched.UnionWith(rule.RemoteMatchers);
            }
        }

        var index = new Dictionary<int, int[]>(program.Index!);
        foreach (var m in touched)
        {
            var merged = Merge(index.GetValueOrDefault(m) ?? [], c, fresh.TryGetValue(m, out var list) ? list : null);
            if (merged.Length == 0)
            {
                index.Remove(m);
            }
            else
            {
                index[m] = merged;
            }
        }

        var hasCalico = false;
        foreach (var ch in nextChunks)
        {
            hasCalico |= ch.HasCalico;
        }

        return new TierProgram
        {
            Code = [code[0] - old.Program.RuleCount + chunk.Program.RuleCount, code[1], code[2], 0],
            Rules = [],
            Names = [],
            Chunks = nextChunks,
            Parts = [.. nextChunks.Select(ch => ch.Program)],
            PartCodes = [.. nextChunks.Select(ch => ch.Program.Code)],
            Index = index,
            Always = Merge(program.Always, c, freshAlways),
            IndexHasCalico = hasCalico,
        };
    }

    /// <summary>The chunk a policy is in or goes into: the first whose last policy does not precede it (else the last non-empty one).</summary>
    private static int ChunkOf(TierChunk[] chunks, PolicyState policy)
    {
        var last = 0;
        for (var c = 0; c < chunks.Length; c++)
        {
            var held = chunks[c].Policies;
            if (held.Length == 0)
            {
                continue;
            }

            last = c;
            if (PolicyPrecedence.Compare(policy, held[^1]) <= 0)
            {
                return c;
            }
        }

        return last;
    }

    /// <summary>Ascending encoded positions with chunk <paramref name="chunk"/>'s replaced by <paramref name="replacement"/> (ascending).</summary>
    private static int[] Merge(int[] positions, int chunk, List<int>? replacement)
    {
        var from = TierProgram.Position(chunk, 0);
        var to = TierProgram.Position(chunk + 1, 0);
        var below = 0;
        while (below < positions.Length && positions[below] < from)
        {
            below++;
        }

        var above = below;
        while (above < positions.Length && positions[above] < to)
        {
            above++;
        }

        var count = replacement?.Count ?? 0;
        var result = new int[below + count + (positions.Length - above)];
        Array.Copy(positions, result, below);
        replacement?.CopyTo(result, below);
        Array.Copy(positions, above, result, below + count, positions.Length - above);
        return result;
    }

    private static TierProgram BuildTierProgram(ReadOnlySpan<PolicyState> policies, TierSegment tier, Direction direction, int indexThreshold, bool filtered)
    {
        var rules = new List<(CompiledRule Rule, int Policy, int Index)>();
        foreach (var policy in policies)
        {
            var compiled = policy.Rules(direction);
            for (var r = 0; r < compiled.Length; r++)
            {
                rules.Add((compiled[r], policy.Id, r));
            }
        }

        var names = new List<string>();
        var blocks = new List<CidrBlock>();
        var nodeSelectors = new List<Model.Selectors.Selector>();
        var portCount = 0;
        var matcherCount = 0;
        foreach (var (rule, _, _) in rules)
        {
            matcherCount += IsSimple(rule) ? rule.RemoteMatchers.Length + NetWords(rule.RemoteNets) : GeneralRuleCode.Words(rule);
            portCount += IsSimple(rule) ? rule.Ports.Length : 0;
        }

        var portBase = TierProgram.HeaderSize + (TierProgram.RuleSize * rules.Count);
        var matcherBase = portBase + (TierProgram.PortSize * portCount);
        // Only a program walked rule by rule has filters (an indexed one is walked through its index, and a chunk
        // through its program's), and only if it is long enough for them to pay.
        var indexed = rules.Count > indexThreshold;
        filtered &= !indexed && rules.Count >= TierProgram.FilterFrom;
        var filterBase = matcherBase + matcherCount;
        var code = new int[filterBase + (filtered ? TierProgram.FilterSize * rules.Count : 0)];
        (code[0], code[1], code[2], code[TierProgram.HeaderFilter]) = (rules.Count, (int)tier.EndAction, tier.Tier, filtered ? filterBase : 0);
        var portAt = portBase;
        var matcherAt = matcherBase;
        var programRules = new CompiledRule[rules.Count];
        var singlePorts = new int[rules.Count];
        var index = indexed ? new Dictionary<int, List<int>>() : null;
        var always = new List<int>();
        for (var i = 0; i < rules.Count; i++)
        {
            var (rule, policy, ruleIndex) = rules[i];
            var simple = IsSimple(rule);
            programRules[i] = rule;
            var at = TierProgram.HeaderSize + (TierProgram.RuleSize * i);
            code[at] = (simple ? TierProgram.FlagSimple : 0) | (rule.RemoteCalico ? TierProgram.FlagCalico : 0) |
                (simple && rule.RemoteNets.Length > 0 ? TierProgram.FlagNets : 0) | ((int)rule.Action << 4);
            code[at + 1] = rule.Protocol;
            code[at + 2] = rule.NotProtocol;
            code[at + 3] = portAt;
            code[at + 4] = simple ? rule.Ports.Length : 0;
            code[at + 5] = matcherAt;
            code[at + 6] = simple ? rule.RemoteMatchers.Length : 0;
            code[at + 7] = policy;
            code[at + 8] = ruleIndex;
            singlePorts[i] = simple && rule.Ports.Length == 1 && rule.Ports[0].Name is null && rule.Ports[0].First == rule.Ports[0].Last ? rule.Ports[0].First : -1;
            if (indexed)
            {
                // A simple rule naming selectors can only match members of them (and, for Calico selectors, addresses
                // in network sets: then the index is bypassed while network sets exist); the rest are always checked.
                if (IsIndexed(rule))
                {
                    foreach (var m in rule.RemoteMatchers)
                    {
                        if (!index!.TryGetValue(m, out var positions))
                        {
                            index[m] = positions = [];
                        }

                        positions.Add(i);
                    }
                }
                else
                {
                    always.Add(i);
                }
            }

            // Until known to name selectors only, a rule may match any remote end: its filter lets every pod through.
            var filterAt = filterBase + (TierProgram.FilterSize * i);
            if (filtered)
            {
                code.AsSpan(filterAt, TierProgram.FilterSize).Fill(-1);
            }

            if (!simple)
            {
                matcherAt = GeneralRuleCode.Write(rule, code, matcherAt, blocks, nodeSelectors, names);
                continue;
            }

            var (lo, hi) = TierProgram.Signature(rule.RemoteMatchers);
            (code[at + 9], code[at + 10], code[at + 11], code[at + 12]) = ((int)lo, (int)(lo >> 32), (int)hi, (int)(hi >> 32));
            if (filtered && rule.RemoteMatchers.Length > 0 && rule.RemoteNets.Length == 0)
            {
                // Selectors only: a pod matches only as a member of one of them, so it shares a signature bit.
                code.AsSpan(at + 9, TierProgram.FilterSize).CopyTo(code.AsSpan(filterAt));
            }

            foreach (var p in rule.Ports)
            {
                var nameIndex = p.Name is { } name ? GeneralRuleCode.Intern(names, name) : -1;
                (code[portAt], code[portAt + 1], code[portAt + 2], code[portAt + 3]) = (p.First, p.Last, p.Protocol, nameIndex);
                portAt += TierProgram.PortSize;
            }

            foreach (var m in rule.RemoteMatchers)
            {
                code[matcherAt++] = m;
            }

            if (rule.RemoteNets.Length > 0)
            {
                code[matcherAt++] = rule.RemoteNets.Length;
                foreach (var net in rule.RemoteNets)
                {
                    (code[matcherAt], code[matcherAt + 1]) = V4(net.Network);
                    code[matcherAt + 2] = net.Except.Count;
                    matcherAt += 3;
                    foreach (var e in net.Except)
                    {
                        (code[matcherAt], code[matcherAt + 1]) = V4(e);
                        matcherAt += 2;
                    }
                }
            }
        }

        int[]? keys = null;
        int[] starts = [], flat = [];
        ulong keyLow = 0, keyHigh = 0;
        if (index is not null)
        {
            keys = [.. index.Keys.Order()];
            (keyLow, keyHigh) = TierProgram.Signature(keys);

            starts = new int[keys.Length + 1];
            flat = new int[index.Values.Sum(v => v.Count)];
            for (var k = 0; k < keys.Length; k++)
            {
                var positions = index[keys[k]];
                positions.CopyTo(flat, starts[k]);
                starts[k + 1] = starts[k] + positions.Count;
            }
        }

        return new TierProgram
        {
            Code = code,
            Rules = programRules,
            SinglePorts = singlePorts,
            Names = [.. names],
            Blocks = [.. blocks],
            NodeSelectors = [.. nodeSelectors],
            IndexKeys = keys,
            KeySignatureLow = keyLow,
            KeySignatureHigh = keyHigh,
            IndexStarts = starts,
            IndexPositions = flat,
            Always = [.. always],
            IndexHasCalico = indexed && rules.Any(r => IsIndexed(r.Rule) && r.Rule.RemoteCalico),
        };
    }

    /// <summary>The words a simple rule's IPv4 blocks take in its program: a count, then each block and its exceptions.</summary>
    private static int NetWords(CidrBlock[] nets)
    {
        if (nets.Length == 0)
        {
            return 0;
        }

        var words = 1;
        foreach (var net in nets)
        {
            words += 3 + (2 * net.Except.Count);
        }

        return words;
    }

    /// <summary>An IPv4 network as its base address and mask, host order, in two words.</summary>
    private static (int Base, int Mask) V4(System.Net.IPNetwork network)
    {
        var mask = network.PrefixLength == 0 ? 0u : uint.MaxValue << (32 - network.PrefixLength);
        return ((int)EndpointAddress.V4Bits(network.BaseAddress), (int)mask);
    }

    private static bool IsV4(System.Net.IPNetwork network) => network.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork;

    internal static bool IsSimple(CompiledRule rule) => rule.Simple && !rule.RequiresIcmpType && rule.IpVersion == 0;

    /// <summary>Marks a rule simple when its remote end is only selectors and its local end only destination ports.</summary>
    internal static void Simplify(CompiledRule rule, bool ingress)
    {
        var remote = ingress ? rule.From : rule.To;
        var local = ingress ? rule.To : rule.From;
        var localPlain = local.IsAny || (local.Peers.Length == 0 && local.NotMatcher < 0 && local.NotNets.Length == 0 && local.NotPorts.Length == 0 && (ingress || local.Ports.Length == 0));
        // Each peer names the remote end either by selectors or by IPv4 blocks (not both, which must hold together).
        var remotePlain = remote.IsAny || (remote.NotMatcher < 0 && remote.NotNets.Length == 0 && remote.NotPorts.Length == 0 && (ingress ? remote.Ports.Length == 0 : true) &&
            remote.Peers.All(p => p.NodeSelector is null &&
                ((p.Matcher >= 0 && p.Nets.Length == 0) || (p.Matcher < 0 && p.Nets.Length > 0 && p.Nets.All(n => IsV4(n.Network) && n.Except.All(IsV4))))));
        if (!localPlain || !remotePlain)
        {
            return;
        }

        var ports = ingress ? local.Ports : remote.Ports;
        rule.Simple = true;
        rule.RemoteMatchers = [.. remote.Peers.Where(p => p.Matcher >= 0).Select(p => p.Matcher).Distinct().Order()];
        rule.RemoteNets = [.. remote.Peers.SelectMany(p => p.Nets)];
        rule.RemoteCalico = remote.Peers.Any(p => p.Matcher >= 0 && p.Calico);
        rule.Ports = [.. ports.Select(p => new FastPort(p.First, p.Last, p.Protocol?.Number ?? -1, p.Name))];
    }
}
