namespace Palisade.Engine.Calculation;

/// <summary>A subject's policies of one tier, in precedence order.</summary>
internal readonly record struct TierPolicies(TierState Tier, PolicyState[] Sorted)
{
    /// <summary>
    /// A subject's policies per tier, each sorted by precedence: computed once and kept current by edits. A small array
    /// rather than a dictionary: a subject's policies are nearly always in one tier, and there are tens of thousands
    /// of subjects.
    /// </summary>
    public static TierPolicies[] Of(MatcherState subject)
    {
        if (subject.ByTier is { } cached)
        {
            return cached;
        }

        var policies = subject.SubjectOf;
        var oneTier = true;
        foreach (var p in policies)
        {
            oneTier &= ReferenceEquals(p.Tier, policies[0].Tier);
        }

        TierPolicies[] byTier;
        if (policies.Count == 0)
        {
            byTier = [];
        }
        else if (oneTier)
        {
            // The common case, a subject's policies all in one tier: one array, no grouping.
            var sorted = policies.ToArray();
            Array.Sort(sorted, PolicyPrecedence.Compare);
            byTier = [new TierPolicies(policies[0].Tier, sorted)];
        }
        else
        {
            byTier = [.. policies.GroupBy(p => p.Tier).Select(group =>
            {
                var sorted = group.ToArray();
                Array.Sort(sorted, PolicyPrecedence.Compare);
                return new TierPolicies(group.Key, sorted);
            })];
        }

        return subject.ByTier = byTier;
    }
}
