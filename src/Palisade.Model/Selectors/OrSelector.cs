using System.Collections.Immutable;
using System.Text;

namespace Palisade.Model.Selectors;

/// <summary><c>a || b || ...</c>: matches when any operand matches.</summary>
public sealed record OrSelector : Selector
{
    public OrSelector(ImmutableArray<Selector> operands)
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

    public OrSelector(params IEnumerable<Selector> operands)
        : this([.. operands])
    {
    }

    public ImmutableArray<Selector> Operands { get; }

    public override bool Matches(LabelSet labels, bool global = false)
    {
        var operands = Operands;
        for (var i = 0; i < operands.Length; i++)
        {
            if (operands[i].Matches(labels, global))
            {
                return true;
            }
        }

        return false;
    }

    public bool Equals(OrSelector? other) =>
        ReferenceEquals(this, other) || (other is not null && SelectorSyntax.SequenceEqual(Operands, other.Operands));

    public override int GetHashCode() => SelectorSyntax.SequenceHash(Operands);

    internal override void Write(StringBuilder sb)
    {
        for (var i = 0; i < Operands.Length; i++)
        {
            if (i > 0)
            {
                sb.Append(" || ");
            }

            // "&&" binds tighter and needs none; a nested "||" would re-parse flat into this list.
            WriteOperand(sb, Operands[i], Operands[i] is OrSelector);
        }
    }
}
