namespace Palisade.Dataplane.Nftables.Model;

/// <summary>A verdict: accept, drop, reject, return, or jump/goto to <see cref="Chain"/>.</summary>
public sealed record NftVerdict(NftVerdictKind Kind, string? Chain = null) : NftStatement
{
    public static readonly NftVerdict Accept = new(NftVerdictKind.Accept);
    public static readonly NftVerdict Drop = new(NftVerdictKind.Drop);
    public static readonly NftVerdict Return = new(NftVerdictKind.Return);
    public static readonly NftVerdict RejectTcpReset = new(NftVerdictKind.RejectTcpReset);
    public static readonly NftVerdict RejectAdminProhibited = new(NftVerdictKind.RejectAdminProhibited);

    public static NftVerdict Jump(string chain) => new(NftVerdictKind.Jump, chain);

    public static NftVerdict Goto(string chain) => new(NftVerdictKind.Goto, chain);

    /// <summary>Whether this verdict ends the packet's walk through the hook (rather than moving between chains).</summary>
    public bool IsFinal => Kind is NftVerdictKind.Accept or NftVerdictKind.Drop or NftVerdictKind.RejectTcpReset or NftVerdictKind.RejectAdminProhibited;

    /// <summary>Whether the packet is dropped.</summary>
    public bool Drops => Kind is NftVerdictKind.Drop or NftVerdictKind.RejectTcpReset or NftVerdictKind.RejectAdminProhibited;

    public override string ToString() => Kind switch
    {
        NftVerdictKind.Accept => "accept",
        NftVerdictKind.Drop => "drop",
        NftVerdictKind.RejectTcpReset => "reject with tcp reset",
        NftVerdictKind.RejectAdminProhibited => "reject with icmpx admin-prohibited",
        NftVerdictKind.Return => "return",
        NftVerdictKind.Jump => $"jump {Chain}",
        NftVerdictKind.Goto => $"goto {Chain}",
        _ => throw new InvalidOperationException($"unknown verdict {Kind}"),
    };
}
