using System.Net;
using System.Net.Sockets;
using Palisade.Dataplane.Nftables.Model;

namespace Palisade.Dataplane.Nftables.Tracing;

/// <summary>
/// Walks a packet through a table in memory, as nf_tables would: the hook's base chains in priority order, rules in
/// order, jumps and gotos, returns, verdict maps, named and inline sets, marks set on the way. The table's behaviour
/// made checkable without a kernel: a rendered table can be held against the engine's verdicts pair by pair.
/// </summary>
public sealed class PacketTracer
{
    /// <summary>A walk longer than this is a loop in the table (nft refuses loops; a hand-made table may not).</summary>
    private const int MaxSteps = 100_000;

    private static readonly byte[] PortProtocols = [6, 17, 33, 132, 136];

    private readonly NftTable table;

    public PacketTracer(NftTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        this.table = table;
    }

    /// <summary>The packet's way through the base chains on <paramref name="hook"/>: the first drop ends it; accepts go on to the next base chain.</summary>
    public PacketTrace Trace(NftHookPoint hook, TracedPacket packet)
    {
        ArgumentNullException.ThrowIfNull(packet);
        var walk = new Walk(packet);
        TraceStep? decidedBy = null;
        var verdict = NftVerdict.Accept;
        foreach (var chain in table.Chains.Values.Where(c => c.Hook?.Point == hook).OrderBy(c => c.Hook!.Priority).ThenBy(c => c.Name, StringComparer.Ordinal))
        {
            (verdict, decidedBy) = Run(chain, walk);
            if (verdict.Drops)
            {
                break;
            }
        }

        return new PacketTrace(verdict, decidedBy, [.. walk.Path], walk.Mark, walk.CtMark, [.. walk.Logs]);
    }

    private (NftVerdict Verdict, TraceStep? DecidedBy) Run(NftChain baseChain, Walk walk)
    {
        var policy = new NftVerdict(baseChain.Hook!.Policy);
        var stack = new Stack<(NftChain Chain, int Next)>();
        var chain = baseChain;
        var index = 0;
        for (var steps = 0; steps < MaxSteps; steps++)
        {
            if (index >= chain.Rules.Count)
            {
                if (stack.Count == 0)
                {
                    return (policy, null);
                }

                (chain, index) = stack.Pop();
                continue;
            }

            var verdict = Evaluate(chain, index, walk);
            if (verdict is null)
            {
                index++;
                continue;
            }

            var step = walk.Path[^1];
            switch (verdict.Kind)
            {
                case NftVerdictKind.Jump:
                    stack.Push((chain, index + 1));
                    (chain, index) = (Chain(verdict.Chain!), 0);
                    break;
                case NftVerdictKind.Goto:
                    (chain, index) = (Chain(verdict.Chain!), 0);
                    break;
                case NftVerdictKind.Return:
                    if (stack.Count == 0)
                    {
                        return (policy, null);
                    }

                    (chain, index) = stack.Pop();
                    break;
                default:
                    return (verdict, step);
            }
        }

        throw new InvalidOperationException($"the walk through {baseChain.Name} did not end after {MaxSteps} rules: a loop");
    }

    /// <summary>Runs one rule's statements; the verdict it reached, or null when it did not match or gave none.</summary>
    private NftVerdict? Evaluate(NftChain chain, int index, Walk walk)
    {
        var rule = chain.Rules[index];
        var step = new TraceStep(chain.Name, index, rule);
        foreach (var statement in rule.Statements)
        {
            switch (statement)
            {
                case NftMatch match:
                    if (!Matches(match, walk))
                    {
                        return null;
                    }

                    break;
                case NftVerdictMap map:
                    var key = Read(map.Key, walk);
                    var hit = key is null ? null : Set(map.Map).Elements.FirstOrDefault(e => ValueMatches(e.Key, key, 0));
                    if (hit?.Verdict is null)
                    {
                        return null;
                    }

                    walk.Path.Add(step);
                    return hit.Verdict;
                case NftSetMark { Target: NftField.CtMark } set:
                    walk.CtMark = set.Value.Value;
                    break;
                case NftSetMark set:
                    walk.Mark = set.Value.Value;
                    break;
                case NftLog log:
                    walk.Logs.Add(new TracedLog(log.Group, log.Prefix, walk.Mark));
                    break;
                case NftCounter:
                    break;
                case NftVerdict verdict:
                    walk.Path.Add(step);
                    return verdict;
                default:
                    throw new NotSupportedException($"the tracer cannot run {statement.GetType().Name}");
            }
        }

        walk.Path.Add(step);
        return null;
    }

    private bool Matches(NftMatch match, Walk walk)
    {
        var key = Read(match.Key, walk);
        if (key is null)
        {
            // A field the packet does not have (an IPv6 address of an IPv4 packet, a port of ICMP): nft's implicit
            // dependency on the protocol fails, so the rule does not match, negated or not.
            return false;
        }

        var found = ValueMatches(match.Value, key, 0, match.Mask);
        return found != match.Negated;
    }

    /// <summary>Whether <paramref name="value"/> holds the packet's <paramref name="key"/> (from part <paramref name="at"/> on).</summary>
    private bool ValueMatches(NftValue value, object[] key, int at, uint? mask = null)
    {
        switch (value)
        {
            case NftSetRef r:
                return Set(r.Set).Elements.Any(e => ValueMatches(e.Key, key, at));
            case NftAnonymousSet s:
                return s.Elements.Any(e => ValueMatches(e, key, at));
            case NftConcat c:
                for (var i = 0; i < c.Parts.Count; i++)
                {
                    if (at + i >= key.Length || !PartMatches(c.Parts[i], key[at + i], null))
                    {
                        return false;
                    }
                }

                return true;
            default:
                return PartMatches(value, key[at], mask);
        }
    }

    private static bool PartMatches(NftValue value, object field, uint? mask) => (value, field) switch
    {
        (NftInteger i, uint n) => (mask is { } m ? n & m : n) == i.Value,
        (NftRange r, uint n) => n >= r.First && n <= r.Last,
        (NftProtocol p, uint n) => n == p.Number,
        (NftAddress a, IPAddress ip) => a.Address.Equals(ip),
        (NftPrefix p, IPAddress ip) => p.Network.Contains(ip),
        (NftString s, string name) => s.Text == name,
        (NftSymbol s, string name) => s.Name == name,
        (NftCtState s, NftCtStates state) => (s.States & state) != 0,
        _ => throw new InvalidOperationException($"the tracer cannot compare {value} with a {field.GetType().Name}"),
    };

    /// <summary>The packet's values of a concatenation of fields; null when it lacks one of them.</summary>
    private static object[]? Read(Palisade.Model.EquatableArray<NftField> fields, Walk walk)
    {
        var values = new object[fields.Count];
        for (var i = 0; i < values.Length; i++)
        {
            if (Read(fields[i], walk) is not { } v)
            {
                return null;
            }

            values[i] = v;
        }

        return values;
    }

    private static object? Read(NftField field, Walk walk)
    {
        var p = walk.Packet;
        var v4 = p.Source.AddressFamily == AddressFamily.InterNetwork;
        var ports = PortProtocols.Contains(p.Protocol);
        return field switch
        {
            NftField.IifName => p.InInterface,
            NftField.OifName => p.OutInterface,
            NftField.NfProto => v4 ? NftSymbol.Ipv4.Name : NftSymbol.Ipv6.Name,
            NftField.L4Proto => (uint)p.Protocol,
            NftField.Mark => walk.Mark,
            NftField.CtMark => walk.CtMark,
            NftField.IpSaddr => v4 ? p.Source : null,
            NftField.IpDaddr => v4 ? p.Destination : null,
            NftField.Ip6Saddr => v4 ? null : p.Source,
            NftField.Ip6Daddr => v4 ? null : p.Destination,
            NftField.SourcePort => ports ? (uint)p.SourcePort : null,
            NftField.DestinationPort => ports ? (uint)p.DestinationPort : null,
            NftField.IcmpType => v4 && p.Protocol == 1 && p.IcmpType is { } t ? (uint)t : null,
            NftField.IcmpCode => v4 && p.Protocol == 1 && p.IcmpCode is { } c ? (uint)c : null,
            NftField.CtState => p.State,
            NftField.CtDirection => p.Reply ? NftSymbol.Reply.Name : NftSymbol.Original.Name,
            _ => throw new InvalidOperationException($"the tracer cannot read {field}"),
        };
    }

    private NftChain Chain(string name) =>
        table.Chains.TryGetValue(name, out var c) ? c : throw new InvalidOperationException($"a rule jumps to chain {name}, which the table does not hold");

    private NftSet Set(string name) =>
        table.Sets.TryGetValue(name, out var s) ? s : throw new InvalidOperationException($"a rule reads set {name}, which the table does not hold");

    /// <summary>The packet's state along one trace: its marks, the rules it matched, the logs it reached.</summary>
    private sealed class Walk(TracedPacket packet)
    {
        public TracedPacket Packet { get; } = packet;

        public uint Mark { get; set; } = packet.Mark;

        public uint CtMark { get; set; } = packet.CtMark;

        public List<TraceStep> Path { get; } = [];

        public List<TracedLog> Logs { get; } = [];
    }
}
