namespace Palisade.Model.Policies;

/// <summary>The source object and the place in it a rule was compiled from, so every verdict can be explained.</summary>
/// <param name="Source">The policy object.</param>
/// <param name="Path">The field path of the rule in the source, e.g. <c>spec.ingress[1]</c>.</param>
/// <param name="Index">The rule's index in its direction's list.</param>
/// <param name="Name">The rule's own name where the format has one (AdminNetworkPolicy rules).</param>
public sealed record RuleOrigin(SourceRef Source, string Path, int Index, string? Name = null)
{
    public override string ToString() => Name is null ? $"{Source.DisplayName} {Path}" : $"{Source.DisplayName} {Path} ({Name})";
}
