using System.Text;

namespace Palisade.Model.Selectors;

/// <summary><c>global()</c>: matches non-namespaced resources (global network sets, host endpoints).</summary>
/// <remarks>
/// Whether a resource is namespaced is not one of its labels, so the caller says so through the
/// <c>global</c> argument of <see cref="Selector.Matches"/>.
/// </remarks>
public sealed record GlobalSelector : Selector
{
    internal static GlobalSelector Instance { get; } = new();

    public override bool Matches(LabelSet labels, bool global = false) => global;

    internal override void Write(StringBuilder sb) => sb.Append("global()");
}
