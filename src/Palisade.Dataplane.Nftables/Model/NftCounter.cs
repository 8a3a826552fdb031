namespace Palisade.Dataplane.Nftables.Model;

/// <summary>Counts the packets and bytes that reach it.</summary>
public sealed record NftCounter : NftStatement
{
    public static readonly NftCounter Instance = new();

    public override string ToString() => "counter";
}
