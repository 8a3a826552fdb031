using Palisade.Model.Policies;

namespace Palisade.Engine.Explain;

/// <summary>Rewrites a policy model with its staged policies enforced, for the engines that answer "what if".</summary>
public static class StagedPolicies
{
    /// <summary>
    /// The model as it would be if staged policies were enforced: a staged policy replaces the enforced policy it
    /// targets (same kind, namespace and name), a staged deletion removes it, and other staged policies are added.
    /// </summary>
    public static PolicyModel Enforced(PolicyModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var targets = model.Policies.Where(p => p.Staged && p.StagedTarget is not null).Select(p => p.StagedTarget!).ToHashSet(StringComparer.Ordinal);
        return new PolicyModel(model.Tiers.Select(t => t with
        {
            Policies = new(t.Policies
                .Where(p => p.Staged ? !p.StagedDeletion : !targets.Contains(TargetKey(p)))
                .Select(p => p.Staged ? p with { Staged = false } : p)),
        }));
    }

    /// <summary>
    /// Every policy enforced side by side, staged ones (deletions too) beside the policies they target: an engine of
    /// this model tells what each policy's selectors select, never a verdict.
    /// </summary>
    public static PolicyModel AllEnforced(PolicyModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new PolicyModel(model.Tiers.Select(t => t with { Policies = new(t.Policies.Select(p => p.Staged ? p with { Staged = false } : p)) }));
    }

    /// <summary>The name a staged policy gives its target by (<see cref="Policy.StagedTarget"/>).</summary>
    private static string TargetKey(Policy p) =>
        $"{p.Source.ApiVersion} {p.Source.Kind} {(p.Namespace is null ? p.Name : $"{p.Namespace}/{p.Name}")}";
}
