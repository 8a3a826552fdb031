using System.Text;

namespace Palisade.Model.Selectors;

/// <summary><c>all()</c>: matches every label set.</summary>
public sealed record AllSelector : Selector
{
    internal static AllSelector Instance { get; } = new();

    public override bool Matches(LabelSet labels, bool global = false) => true;

    internal override void Write(StringBuilder sb) => sb.Append("all()");
}
