using Palisade.Model.Policies;
using Palisade.Model.Selectors;

namespace Palisade.Engine.Calculation;

/// <summary>
/// Writes a rule of uncommon shape (exclusions, node selectors, IP versions, ICMP, ports at the source, peers that
/// name both selectors and blocks) into its tier program's code, as words the verdict walker reads like the rest
/// (<see cref="GeneralRuleWalker"/>): its general form.
/// </summary>
/// <remarks>
/// Layout, from the rule's word <c>matcherStart</c> (its <c>matcherCount</c> is 0): [flags (bit 0: an ICMP type is
/// required), IP version (0 for any), where the destination's entity starts], then the source's entity, then the
/// destination's. An entity is [peer count, -1 for any entity; per peer: selector index entry or -1, 1 when Calico's,
/// node selector or -1, block count, the blocks; the not-selector's entry or -1; not-block count, the blocks; port
/// count, the ports; not-port count, the ports]. Ports are as a simple rule's (<see cref="TierProgram.PortSize"/> words:
/// first, last, protocol, name). Values that are not numbers stay out of the code, numbered in the program's tables:
/// blocks in <see cref="TierProgram.Blocks"/>, node selectors in <see cref="TierProgram.NodeSelectors"/>, port names in
/// <see cref="TierProgram.Names"/>.
/// </remarks>
internal static class GeneralRuleCode
{
    /// <summary>Bit of a general form's flags: the rule requires an ICMP type, which flows do not carry.</summary>
    public const int FlagIcmp = 1;

    /// <summary>Words of a general form before its source's entity.</summary>
    public const int HeaderSize = 3;

    /// <summary>The words <paramref name="rule"/>'s general form takes.</summary>
    public static int Words(CompiledRule rule) => HeaderSize + Words(rule.From) + Words(rule.To);

    private static int Words(CompiledEntity entity)
    {
        if (entity.IsAny)
        {
            return 1;
        }

        var words = 1;
        foreach (var peer in entity.Peers)
        {
            words += 4 + peer.Nets.Length;
        }

        return words + 1 + (1 + entity.NotNets.Length) + (1 + (TierProgram.PortSize * entity.Ports.Length)) + (1 + (TierProgram.PortSize * entity.NotPorts.Length));
    }

    /// <summary>Writes <paramref name="rule"/>'s general form at <paramref name="at"/>; returns where the next word goes.</summary>
    public static int Write(CompiledRule rule, int[] code, int at, List<CidrBlock> blocks, List<Selector> nodeSelectors, List<string> names)
    {
        code[at] = rule.RequiresIcmpType ? FlagIcmp : 0;
        code[at + 1] = rule.IpVersion;
        var to = Write(rule.From, code, at + HeaderSize, blocks, nodeSelectors, names);
        code[at + 2] = to;
        return Write(rule.To, code, to, blocks, nodeSelectors, names);
    }

    private static int Write(CompiledEntity entity, int[] code, int at, List<CidrBlock> blocks, List<Selector> nodeSelectors, List<string> names)
    {
        if (entity.IsAny)
        {
            code[at] = -1;
            return at + 1;
        }

        code[at++] = entity.Peers.Length;
        foreach (var peer in entity.Peers)
        {
            code[at] = peer.Matcher;
            code[at + 1] = peer.Calico ? 1 : 0;
            code[at + 2] = peer.NodeSelector is { } node ? Intern(nodeSelectors, node) : -1;
            at = WriteBlocks(peer.Nets, code, at + 3, blocks);
        }

        code[at++] = entity.NotMatcher;
        at = WriteBlocks(entity.NotNets, code, at, blocks);
        at = WritePorts(entity.Ports, code, at, names);
        return WritePorts(entity.NotPorts, code, at, names);
    }

    private static int WriteBlocks(CidrBlock[] nets, int[] code, int at, List<CidrBlock> blocks)
    {
        code[at++] = nets.Length;
        foreach (var net in nets)
        {
            code[at++] = Intern(blocks, net);
        }

        return at;
    }

    private static int WritePorts(PortMatch[] ports, int[] code, int at, List<string> names)
    {
        code[at++] = ports.Length;
        foreach (var p in ports)
        {
            (code[at], code[at + 1], code[at + 2], code[at + 3]) = (p.First, p.Last, p.Protocol?.Number ?? -1, p.Name is { } name ? Intern(names, name) : -1);
            at += TierProgram.PortSize;
        }

        return at;
    }

    /// <summary>The number of <paramref name="value"/> in a program's table, added when new.</summary>
    public static int Intern<T>(List<T> table, T value)
    {
        var i = table.IndexOf(value);
        if (i < 0)
        {
            i = table.Count;
            table.Add(value);
        }

        return i;
    }
}
