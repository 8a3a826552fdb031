using Palisade.Model;

namespace Palisade.Dataplane.Nftables.Model;

/// <summary>
/// A comparison of a packet's fields (one, or a concatenation) with a value: equality, membership in a set (named or
/// inline), a prefix or a range; <see cref="Negated"/> inverts it. With <see cref="Mask"/> the field is masked first
/// (<c>meta mark &amp; 0x3 == 0x1</c>).
/// </summary>
public sealed record NftMatch(EquatableArray<NftField> Key, NftValue Value, bool Negated = false, uint? Mask = null) : NftStatement
{
    public NftMatch(NftField field, NftValue value, bool negated = false)
        : this([field], value, negated)
    {
    }

    public override string ToString()
    {
        var key = NftSyntax.Key(Key);
        var op = Negated ? "!= " : Mask is null ? string.Empty : "== ";
        return Mask is { } mask ? $"{key} & {NftInteger.Mark(mask)} {op}{Value}" : $"{key} {op}{Value}";
    }
}
