using System.Collections.Immutable;
using System.Text;

namespace Palisade.Model.Selectors;

/// <summary><c>a &amp;&amp; b &amp;&amp; ...</c>: matches when every operand matches.</summary>
public sealed record AndSelector : Selector
{
    public AndSelector(ImmutableArray<Selector> operands)
    {
        if (operands.IsDefault || operands.Length < 2)
        {
            // One operand has no spelling of its own: it would print, and re-parse, as the operand itself.
            throw new ArgumentException("needs at least two operands", nameof(operands));
        }

        foreach (var operand in operands)
        {
            ArgumentNullException.ThrowIfNull(operand, nameof(operands));
        }

        Operands = operands;
    }

    public AndSelector(params IEnumerable<Selector> operands)
        : this([.. operands])
    {
    }

    public ImmutableArray<Selector> Operands { get; }

    public override bool Matches(LabelSet labels, bool global = false)
    {
        var operands = Operands;
        for (var i = 0; i < operands.Length; i++)
        {
            if (!operands[i].Matches(labels, global))
            {
                return false;
            }
        }

        return true;
    }

    public bool Equals(AndSelector? other) =>
        ReferenceEquals(this, other) || (other is not null && SelectorSyntax.SequenceEqual(Operands, other.Operands));

    public override int GetHashCode() => SelectorSyntax.SequenceHash(Operands);

    internal override void Write(StringBuilder sb)
    {
        for (var i = 0; i < Operands.Length; i++)
        {
            if (i > 0)
            {
                sb.Append(" && ");
            }

            // "||" binds looser than "&&"; a nested "&&" would re-parse flat into this list.
            WriteOperand(sb, Operands[i], Operands[i] is AndSelector or OrSelector);
        }
    }
}
