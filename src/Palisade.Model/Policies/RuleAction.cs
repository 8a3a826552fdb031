namespace Palisade.Model.Policies;

/// <summary>What a matching rule does: end evaluation (Allow, Deny), skip to the next tier (Pass), or record and go on (Log).</summary>
public enum RuleAction
{
    Allow,
    Deny,
    Pass,
    Log,
}
