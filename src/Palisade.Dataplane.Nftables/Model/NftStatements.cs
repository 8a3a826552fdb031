namespace Palisade.Dataplane.Nftables.Model;

/// <summary>Short forms of the statements and rules the renderer writes again and again.</summary>
internal static class NftStatements
{
    /// <summary><c>meta mark set 0x0</c>: a fresh decision.</summary>
    public static readonly NftSetMark ClearMark = SetMark(0);

    /// <summary><c>meta mark &amp; 0x3 == 0x1</c>: the decision so far is "allowed".</summary>
    public static readonly NftMatch MarkAllows = new([NftField.Mark], NftInteger.Mark(0x1), Mask: 0x3);

    public static NftRule Rule(params NftStatement[] statements) => new([.. statements]);

    public static NftRule Rule(string comment, params NftStatement[] statements) => new([.. statements], comment);

    public static NftMatch State(NftCtStates states) => new(NftField.CtState, new NftCtState(states));

    public static NftSetMark SetMark(int value) => new(NftField.Mark, NftInteger.Mark((uint)value));
}
