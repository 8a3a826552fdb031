namespace Palisade.Model.Policies;

/// <summary>An ICMP type, and optionally a code, that a rule matches (Calico <c>icmp</c> / <c>notICMP</c>).</summary>
public sealed record IcmpMatch(int Type, int? Code = null)
{
    public override string ToString() => Code is { } c ? $"type {Type} code {c}" : $"type {Type}";
}
