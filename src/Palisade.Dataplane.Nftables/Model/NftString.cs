namespace Palisade.Dataplane.Nftables.Model;

/// <summary>A quoted string: an interface name.</summary>
public sealed record NftString(string Text) : NftValue
{
    public override string ToString() => $"\"{Text}\"";
}
