using Palisade.Model.Policies;

namespace Palisade.Engine.Calculation;

/// <summary>One tier's policies applying to some endpoints, in order: shared by every list that has exactly these.</summary>
/// <param name="Key">A stable key of the run (tier and policy keys), for naming what renderers make of it.</param>
public sealed record TierRunView(string Key, Tier Tier, IReadOnlyList<Policy> Policies);
