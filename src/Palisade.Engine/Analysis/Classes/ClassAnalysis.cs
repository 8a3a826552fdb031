using System.Collections.Immutable;
using System.Globalization;
using System.Numerics;
using System.Text;
using Palisade.Engine.Calculation;
using Palisade.Model;
using Palisade.Model.Policies;

namespace Palisade.Engine.Analysis.Classes;

/// <summary>
/// Connectivity by equivalence classes: endpoints with the same policy list, the same selector memberships, the same
/// declared ports and the same standing towards every address range in the rules are indistinguishable to policy, so
/// all pairs are answered per class. Each tier program is walked once per local class with a set of remote classes
/// (bitsets), instead of once per pair.
/// </summary>
/// <remarks>
/// Contract: reads a flushed engine (its endpoints, identities' selectors, programs, nodes and network sets) and changes
/// nothing; classes expanded to pairs equal the pairwise verdicts of the verdict walker (IncrementalEquivalenceTests,
/// ClassesUnderOnePolicyTests).
/// </remarks>
internal sealed class ClassAnalysis(CalculationEngine engine)
{
    /// <summary>Endpoint handles grouped into classes, and the classes standing in each address block.</summary>
    private sealed record Grouping(List<List<int>> Members, List<int>[] BlockClasses);

    /// <summary>Computes class connectivity on the given ports, or on the ports destination classes declare.</summary>
    public ClassReport Run(IReadOnlyList<PortSpec>? ports)
    {
        var blocks = CollectBlocks();
        var grouping = Group(blocks);
        var classMembers = grouping.Members;
        var n = classMembers.Count;
        var reps = classMembers.Select(m => m[0]).ToArray();
        var classes = Describe(classMembers);
        var portList = ports is { Count: > 0 } ? ports.Distinct().ToList() : classes.SelectMany(c => c.Ports).Distinct().OrderBy(p => p.Port).ThenBy(p => p.Protocol.Number).ToList();
        var blockSets = new Dictionary<CidrBlock, SparseSet>();
        for (var b = 0; b < blocks.Count; b++)
        {
            blockSets[blocks[b]] = SparseSet.Of(grouping.BlockClasses[b]);
        }

        var context = new ClassWalk(engine.Endpoints, engine.Walker, engine.NetworkSets.Count > 0, reps, n, SelectorClasses(reps), blockSets);
        var reach = new Reach(context, reps, classMembers, RestrictedSources(reps));
        var result = ImmutableArray.CreateBuilder<ClassReach>();
        foreach (var port in portList)
        {
            // Destinations judged on this port: with explicit ports every class, otherwise the classes declaring it.
            var destinations = ClassSet.New(n);
            for (var c = 0; c < n; c++)
            {
                if (ports is { Count: > 0 } || classes[c].Ports.Contains(port))
                {
                    ClassSet.Set(destinations, c);
                }
            }

            reach.OnPort(port, destinations, result);
        }

        return new ClassReport(classes, [.. portList], result.ToImmutable());
    }

    /// <summary>Every address range rules and network sets name: an endpoint's standing towards each is part of its class.</summary>
    private List<CidrBlock> CollectBlocks()
    {
        var blocks = new HashSet<CidrBlock>();
        foreach (var p in engine.PolicyStates)
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

        foreach (var set in engine.NetworkSets.Values)
        {
            blocks.UnionWith(set.Nets);
        }

        return [.. blocks];
    }

    /// <summary>Groups endpoints by their class key (identity's list and selectors, ports, blocks, node), in handle order.</summary>
    private Grouping Group(List<CidrBlock> blocks)
    {
        var keyToClass = new Dictionary<string, int>(StringComparer.Ordinal);
        var classMembers = new List<List<int>>();
        var identityKeys = new Dictionary<int, string>();
        var sb = new StringBuilder();

        // The classes standing in each block (a class's members all do: the standing is part of its key).
        var blockClasses = blocks.Select(_ => new List<int>()).ToArray();
        var inBlocks = new List<int>();
        foreach (var handle in engine.EndpointHandles.Order())
        {
            var e = engine.Endpoints[handle]!;
            sb.Clear();
            if (e.HostNetwork)
            {
                sb.Append("host|");
            }
            else
            {
                if (!identityKeys.TryGetValue(e.Identity, out var ik))
                {
                    ik = $"{e.List}|{string.Join(',', engine.Identity(e.Identity).Matchers.Order())}";
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
                if (GeneralRuleWalker.AnyAddressIn([blocks[b]], e, null))
                {
                    sb.Append(b).Append(',');
                    inBlocks.Add(b);
                }
            }

            if (e.HostNetwork)
            {
                foreach (var a in e.Workload.Addresses)
                {
                    if (engine.NodesByAddress.TryGetValue(a, out var node))
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

        return new Grouping(classMembers, blockClasses);
    }

    /// <summary>The report's description of each class, from its first member.</summary>
    private ImmutableArray<EndpointClass> Describe(List<List<int>> classMembers) => classMembers.Select((members, i) =>
    {
        var w = engine.Endpoints[members[0]]!.Workload;
        return new EndpointClass(i, w.Namespace, w.Labels, w.ServiceAccount,
            [.. w.Ports.Select(p => new PortSpec(p.Port, p.Protocol)).Distinct().OrderBy(p => p.Port).ThenBy(p => p.Protocol.Number)],
            [.. members.Select(h => engine.Endpoints[h]!.Key).Order(StringComparer.Ordinal)])
        { HostNetwork = w.HostNetwork };
    }).ToImmutableArray();

    /// <summary>Each selector's member classes, ascending (classes are visited in order).</summary>
    private Dictionary<int, SparseSet> SelectorClasses(int[] reps)
    {
        var matcherClasses = new Dictionary<int, List<int>>();
        for (var c = 0; c < reps.Length; c++)
        {
            var e = engine.Endpoints[reps[c]]!;
            if (e.HostNetwork || e.Identity < 0)
            {
                continue;
            }

            foreach (var m in engine.Identity(e.Identity).Matchers)
            {
                if (!matcherClasses.TryGetValue(m, out var members))
                {
                    matcherClasses[m] = members = [];
                }

                members.Add(c);
            }
        }

        return matcherClasses.ToDictionary(m => m.Key, m => SparseSet.Of(m.Value));
    }

    /// <summary>
    /// Sources whose egress some policy restricts (the others send anywhere), in ascending order, and the set of the
    /// others. "Who may send to D" is kept for the restricted ones alone: rows of every class would take n squared bits
    /// (312 MB at 50k classes, whose zeroing was most of the time of the antrea shape's classes, which restricts no egress).
    /// </summary>
    private (List<int> Restricted, ulong[] Unrestricted) RestrictedSources(int[] reps)
    {
        var restricted = new List<int>();
        var unrestricted = ClassSet.New(reps.Length);
        for (var c = 0; c < reps.Length; c++)
        {
            var e = engine.Endpoints[reps[c]]!;
            if (e.HostNetwork || e.Egress.Length == 0)
            {
                ClassSet.Set(unrestricted, c);
            }
            else
            {
                restricted.Add(c);
            }
        }

        return (restricted, unrestricted);
    }

    /// <summary>The reach between classes on one port at a time, with the sets it reuses from port to port.</summary>
    private sealed class Reach(ClassWalk context, int[] reps, List<List<int>> classMembers, (List<int> Restricted, ulong[] Unrestricted) sources)
    {
        private readonly ulong[][] sendersTo = [.. reps.Select(_ => ClassSet.New(sources.Restricted.Count))];
        private readonly ulong[] all = Full(reps.Length);
        private readonly ulong[] senders = ClassSet.New(reps.Length);

        private static ulong[] Full(int n)
        {
            var set = ClassSet.New(n);
            ClassSet.Fill(set, n);
            return set;
        }

        /// <summary>Adds to <paramref name="result"/> which destinations each source class reaches on <paramref name="port"/>.</summary>
        public void OnPort(PortSpec port, ulong[] destinations, ImmutableArray<ClassReach>.Builder result)
        {
            Transpose(port, destinations);
            var n = reps.Length;

            // For each destination, its senders (unrestricted ones and the restricted ones allowed to it) that its
            // ingress admits, turned into "destinations per sender" for the report.
            var perSource = new List<int>[n];
            for (var d = 0; d < n; d++)
            {
                if (!ClassSet.IsSet(destinations, d))
                {
                    continue;
                }

                Senders(d);
                if (context.Allowed(d, Direction.Ingress, port, all) is { } admitted)
                {
                    ClassSet.And(senders, admitted);
                }

                // A class reaches itself only when it has two endpoints (pairs are of distinct endpoints).
                if (classMembers[d].Count < 2)
                {
                    ClassSet.Clear(senders, d);
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
                    result.Add(new ClassReach(s, port, [.. to]));
                }
            }
        }

        /// <summary>Egress of each restricted source over destination classes, transposed into "who may send to D".</summary>
        private void Transpose(PortSpec port, ulong[] destinations)
        {
            foreach (var row in sendersTo)
            {
                Array.Clear(row);
            }

            var restricted = sources.Restricted;
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
                        ClassSet.Set(sendersTo[d], j);
                    }
                }
            }
        }

        /// <summary>Fills <see cref="senders"/> with the classes that may send to <paramref name="d"/> by their egress.</summary>
        private void Senders(int d)
        {
            Array.Copy(sources.Unrestricted, senders, senders.Length);
            var row = sendersTo[d];
            for (var w = 0; w < row.Length; w++)
            {
                var bits = row[w];
                while (bits != 0)
                {
                    var j = (w << 6) + BitOperations.TrailingZeroCount(bits);
                    bits &= bits - 1;
                    ClassSet.Set(senders, sources.Restricted[j]);
                }
            }
        }
    }
}
