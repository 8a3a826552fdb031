using Palisade.Model.Policies;

namespace Palisade.Engine.Evaluation;

/// <summary>One step on the path of evaluation: which tier, policy and rule, and what it did.</summary>
public sealed record EvaluationStep(StepKind Kind, Tier Tier, Policy? Policy, Rule? Rule);
