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
            for (var b = 0; b < blocks.Count; b++)
            {
                if (AnyAddressIn([blocks[b]], e, null))
                {
                    sb.Append(b).Append(',');
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

        var matcherClasses = new Dictionary<int, ulong[]>();
        for (var c = 0; c < n; c++)
        {
            var e = endpoints[reps[c]]!;
            if (e.HostNetwork || e.Identity < 0)
            {
                continue;
            }

            foreach (var m in identities[e.Identity]!.Matchers)
            {
                if (!matcherClasses.TryGetValue(m, out var set))
                {
                    matcherClasses[m] = set = NewSet(n);
                }

                Set(set, c);
            }
        }

        var portList = ports is { Count: > 0 } ? ports.Distinct().ToList() : classes.SelectMany(c => c.Ports).Distinct().OrderBy(p => p.Port).ThenBy(p => p.Protocol.Number).ToList();
        var reach = ImmutableArray.CreateBuilder<ClassReach>();
        var context = new ClassWalk(this, reps, n, matcherClasses);
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

            // Egress of each source class over destination classes, transposed into "who may send to D".
            var sendersTo = new ulong[n][];
            for (var d = 0; d < n; d++)
            {
                sendersTo[d] = NewSet(n);
            }

            var egressUnrestricted = NewSet(n);
            for (var s = 0; s < n; s++)
            {
                var allowed = context.Allowed(s, Direction.Egress, port, destinations);
                if (allowed is null)
                {
                    Set(egressUnrestricted, s);
                    continue;
                }

                for (var w = 0; w < allowed.Length; w++)
                {
                    var bits = allowed[w];
                    while (bits != 0)
                    {
                        var d = (w << 6) + BitOperations.TrailingZeroCount(bits);
                        bits &= bits - 1;
                        Set(sendersTo[d], s);
                    }
                }
            }

            for (var d = 0; d < n; d++)
            {
                if (!IsSet(destinations, d))
                {
                    continue;
                }

                var all = NewSet(n);
                Fill(all, n);
                var ingress = context.Allowed(d, Direction.Ingress, port, all) ?? all;
                var senders = sendersTo[d];
                Or(senders, egressUnrestricted);
                And(senders, ingress);

                // A class reaches itself only when it has two endpoints (pairs are of distinct endpoints).
                if (classMembers[d].Count < 2)
                {
                    Clear(senders, d);
                }

                sendersTo[d] = senders;
            }

            // Turn "senders per destination" into "destinations per sender" for the report.
            var perSource = new List<int>[n];
            for (var d = 0; d < n; d++)
            {
                if (!IsSet(destinations, d))
                {
                    continue;
                }

                var senders = sendersTo[d];
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

    /// <summary>The symbolic walk of one local class's programs over a set of remote classes.</summary>
    private sealed class ClassWalk(CalculationEngine engine, int[] reps, int n, Dictionary<int, ulong[]> matcherClasses)
    {
        /// <summary>
        /// The remote classes (within <paramref name="candidates"/>) whose flows with the local class on this port the
        /// local class's policies allow in this direction; null when no policy applies (everything is allowed).
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

            var undecided = (ulong[])candidates.Clone();
            var allowed = NewSet(n);
            foreach (var slot in programs)
            {
                var program = slot.Program;
                var passed = NewSet(n);
                var code = program.Code;
                if (program.Chunks is null)
                {
                    Apply(program, localClass, direction, port, undecided, allowed, passed);
                }
                else
                {
                    foreach (var part in program.Parts)
                    {
                        Apply(part, localClass, direction, port, undecided, allowed, passed);
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
        private void Apply(TierProgram program, int localClass, Direction direction, PortSpec port, ulong[] undecided, ulong[] allowed, ulong[] passed)
        {
            var code = program.Code;
            for (var i = 0; i < code[0]; i++)
            {
                if (IsEmpty(undecided))
                {
                    return;
                }

                var matched = Matching(program, i, localClass, direction, port, undecided);
                var at = TierProgram.HeaderSize + (TierProgram.RuleSize * i);
                switch ((RuleAction)(code[at] >> 4))
                {
                    case RuleAction.Allow:
                        Or(allowed, matched);
                        AndNot(undecided, matched);
                        break;
                    case RuleAction.Deny:
                        AndNot(undecided, matched);
                        break;
                    case RuleAction.Pass:
                        Or(passed, matched);
                        AndNot(undecided, matched);
                        break;
                }
            }
        }

        /// <summary>The remote classes (among <paramref name="among"/>) that rule <paramref name="i"/> matches.</summary>
        private ulong[] Matching(TierProgram program, int i, int localClass, Direction direction, PortSpec port, ulong[] among)
        {
            var code = program.Code;
            var at = TierProgram.HeaderSize + (TierProgram.RuleSize * i);
            // Rules naming IPv4 blocks read addresses, which classes do not share: judged per class like the uncommon shapes.
            var simple = (code[at] & TierProgram.FlagSimple) != 0 && (code[at] & TierProgram.FlagNets) == 0 &&
                !((code[at] & TierProgram.FlagCalico) != 0 && engine.networkSets.Count > 0);
            var result = NewSet(n);
            var hasNamedPort = false;
            if (simple)
            {
                for (int k = 0, p = code[at + 3]; k < code[at + 4]; k++, p += TierProgram.PortSize)
                {
                    hasNamedPort |= code[p + 3] >= 0;
                }
            }

            if (!simple || (direction == Direction.Egress && hasNamedPort))
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
                        var flow = new FlowRef(engine, src, null, dst, null, port.Protocol, port.Port);
                        var remote = engine.RemoteOf(ref flow, direction);
                        var matches = simple
                            ? engine.MatchesSimple(code, at, program, ref flow, ref remote, port.Protocol.HasPorts)
                            : engine.Matches(program.Complex[i], ref flow);
                        if (matches)
                        {
                            Set(result, c);
                        }
                    }
                }

                return result;
            }

            // Protocol and ports are the same for every remote class: judged once on the local representative.
            var probe = direction == Direction.Ingress
                ? new FlowRef(engine, -1, null, reps[localClass], null, port.Protocol, port.Port)
                : new FlowRef(engine, reps[localClass], null, -1, null, port.Protocol, port.Port);
            var protocol = port.Protocol.Number;
            if ((code[at + 1] >= 0 && code[at + 1] != protocol) || (code[at + 2] >= 0 && code[at + 2] == protocol) ||
                (code[at + 4] > 0 && !PortsMatch(code, code[at + 3], code[at + 4], program, ref probe, port.Protocol.HasPorts)))
            {
                return result;
            }

            if (code[at + 6] == 0)
            {
                Array.Copy(among, result, among.Length);
                return result;
            }

            for (var k = code[at + 5]; k < code[at + 5] + code[at + 6]; k++)
            {
                if (matcherClasses.TryGetValue(code[k], out var members))
                {
                    Or(result, members);
                }
            }

            And(result, among);
            return result;
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

    private static void AndNot(ulong[] target, ulong[] other)
    {
        for (var i = 0; i < target.Length; i++)
        {
            target[i] &= ~other[i];
        }
    }
}
