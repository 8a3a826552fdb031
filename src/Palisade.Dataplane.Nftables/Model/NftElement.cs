namespace Palisade.Dataplane.Nftables.Model;

/// <summary>An element of a set, or of a verdict map with its <see cref="Verdict"/>.</summary>
public sealed record NftElement(NftValue Key, NftVerdict? Verdict = null)
{
    public override string ToString() => Verdict is null ? Key.ToString() : $"{Key} : {Verdict}";
}
