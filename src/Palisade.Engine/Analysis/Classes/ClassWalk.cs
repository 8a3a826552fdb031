using System.Numerics;
using Palisade.Engine.Calculation;
using Palisade.Model;
using Palisade.Model.Policies;

namespace Palisade.Engine.Analysis.Classes;

/// <summary>
/// The symbolic walk of one local class's programs over a set of remote classes. A rule naming selectors matches the
/// classes their members are in, which are mostly few: its set is built and applied word by word over the nonzero
/// words of the selectors' sets only, not over every class.
/// </summary>
internal sealed class ClassWalk(List<EndpointState?> endpoints, VerdictWalker walker, bool networkSetsExist, int[] reps, int n, Dictionary<int, SparseSet> matcherClasses, Dictionary<CidrBlock, SparseSet> blockClasses)
{
    // The sets of one walk, reused from walk to walk (at 22k classes a set is 2.8 KB, several a walk).
    private readonly ulong[] undecided = ClassSet.New(n);
    private readonly ulong[] allowed = ClassSet.New(n);
    private readonly ulong[] passed = ClassSet.New(n);

    /// <summary>A rule's matching classes: every word valid after a dense match, else only the words in <see cref="touched"/>; all zero between rules.</summary>
    private readonly ulong[] matching = ClassSet.New(n);
    private readonly int[] touched = new int[(n + 63) >> 6];

    /// <summary>
    /// The remote classes (within <paramref name="candidates"/>) whose flows with the local class on this port the
    /// local class's policies allow in this direction; null when no policy applies (everything is allowed). The set
    /// is the caller's to read until its next call, never to change.
    /// </summary>
    public ulong[]? Allowed(int localClass, Direction direction, PortSpec port, ulong[] candidates)
    {
        var local = endpoints[reps[localClass]]!;
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

            ClassSet.Or(undecided, passed);
        }

        ClassSet.Or(allowed, undecided);
        return allowed;
    }

    /// <summary>A program in one piece (or one chunk) over the undecided remote classes, in rule order.</summary>
    private void Apply(TierProgram program, int localClass, Direction direction, PortSpec port)
    {
        var code = program.Code;
        for (var i = 0; i < code[0]; i++)
        {
            if (ClassSet.IsEmpty(undecided))
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
        // addresses. Rules of uncommon shape are judged one remote class at a time, by the walker's own test.
        var nets = (code[at] & TierProgram.FlagNets) != 0;
        var bySets = (code[at] & TierProgram.FlagSimple) != 0 && !((code[at] & TierProgram.FlagCalico) != 0 && networkSetsExist);
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
                    var flow = new FlowRef(endpoints, src, null, dst, null, port.Protocol, port.Port);
                    var remote = walker.RemoteOf(ref flow, direction);
                    if (walker.RuleMatches(program, code, i, ref flow, ref remote, port.Protocol.HasPorts))
                    {
                        ClassSet.Set(result, c);
                    }
                }
            }

            return -1;
        }

        // Protocol and ports are the same for every remote class: judged once on the local representative.
        var probe = direction == Direction.Ingress
            ? new FlowRef(endpoints, -1, null, reps[localClass], null, port.Protocol, port.Port)
            : new FlowRef(endpoints, reps[localClass], null, -1, null, port.Protocol, port.Port);
        var protocol = port.Protocol.Number;
        if ((code[at + 1] >= 0 && code[at + 1] != protocol) || (code[at + 2] >= 0 && code[at + 2] == protocol) ||
            (code[at + 4] > 0 && !SimpleRuleTest.PortsMatch(code, code[at + 3], code[at + 4], program, ref probe, port.Protocol.HasPorts)))
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
            foreach (var block in program.Rules[i].RemoteNets)
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
