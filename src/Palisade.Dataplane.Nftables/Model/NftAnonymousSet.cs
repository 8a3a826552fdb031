using Palisade.Model;

namespace Palisade.Dataplane.Nftables.Model;

/// <summary>An inline set (<c>{ 80, 443 }</c>): matches when the key equals or falls in one of its elements.</summary>
public sealed record NftAnonymousSet(EquatableArray<NftValue> Elements) : NftValue
{
    public override string ToString() => $"{{ {string.Join(", ", Elements)} }}";
}
