namespace Palisade.Dataplane.Nftables.Model;

/// <summary>Sends the packet to an NFLOG group with a prefix (how flow records leave the kernel).</summary>
public sealed record NftLog(int Group, string Prefix) : NftStatement
{
    public override string ToString() => $"log group {Group} prefix \"{Prefix}\"";
}
