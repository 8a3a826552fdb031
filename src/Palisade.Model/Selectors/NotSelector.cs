using System.Text;

namespace Palisade.Model.Selectors;

/// <summary><c>!expr</c>: matches when the operand does not.</summary>
public sealed record NotSelector(Selector Operand) : Selector
{
    public Selector Operand { get; } = Operand ?? throw new ArgumentNullException(nameof(Operand));

    public override bool Matches(LabelSet labels, bool global = false) => !Operand.Matches(labels, global);

    internal override void Write(StringBuilder sb)
    {
        sb.Append('!');

        // "!" binds tighter than "&&"/"||", so those need parentheses. A nested "!" does too: the parser folds a run
        // of "!!" into nothing (as Calico does), so "!!x" would come back as x, not as the double negation.
        WriteOperand(sb, Operand, Operand is AndSelector or OrSelector or NotSelector);
    }
}
