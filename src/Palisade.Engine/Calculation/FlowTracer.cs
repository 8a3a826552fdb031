using System.Collections.Immutable;
using System.Net;
using Palisade.Engine.Evaluation;
using Palisade.Model;
using Palisade.Model.Policies;

namespace Palisade.Engine.Calculation;

/// <summary>
/// Explains a flow in full, the way the reference evaluator does: for each direction, every tier and policy that
/// applied in order, the rules that logged, passed or decided, and how the direction ended.
/// </summary>
/// <remarks>
/// Contract: reads a flushed engine and changes nothing. The verdict is the verdict walker's (the same programs and
/// the same rule tests, on the same code), but every rule of the applying policies is tested
/// in order, so it allocates: for questions one flow at a time (check, lint), not for the fast path. The steps equal
/// the evaluator's on every flow (ExplanationEquivalenceTests).
/// </remarks>
internal sealed class FlowTracer(CalculationEngine engine)
{
    /// <summary>Both directions of a flow between endpoints (by handle, -1 for none) or outside addresses.</summary>
    public FlowVerdict Trace(int source, IPAddress? sourceAddress, int destination, IPAddress? destinationAddress, Protocol protocol, int port)
    {
        var flow = new Flow(End(source, sourceAddress), End(destination, destinationAddress), protocol, port);
        var reference = new FlowRef(engine.Endpoints, source, sourceAddress, destination, destinationAddress, protocol, port);
        return new FlowVerdict(flow, Direction(ref reference, Model.Policies.Direction.Egress), Direction(ref reference, Model.Policies.Direction.Ingress));
    }

    private Evaluation.FlowEnd End(int handle, IPAddress? address) =>
        handle >= 0 && engine.Endpoints[handle] is { } e ? Evaluation.FlowEnd.Of(e.Workload, address) : Evaluation.FlowEnd.Of(address!);

    internal DirectionVerdict Direction(ref FlowRef flow, Direction direction)
    {
        var local = direction == Model.Policies.Direction.Egress ? flow.Source : flow.Destination;
        if (local is null)
        {
            return new DirectionVerdict(direction, true, VerdictReason.NotAWorkload);
        }

        if (local.HostNetwork)
        {
            return new DirectionVerdict(direction, true, VerdictReason.HostNetwork);
        }

        var steps = ImmutableArray.CreateBuilder<EvaluationStep>();
        var anyApplied = false;
        foreach (var run in engine.ListOf(local)?.Runs ?? [])
        {
            var program = direction == Model.Policies.Direction.Ingress ? run.Ingress : run.Egress;
            if (program is null)
            {
                // No policy of this tier governs the direction: the tier does not apply.
                continue;
            }

            var tier = run.Tier.Tier;
            var matched = Matched(program, ref flow, direction);
            var next = 0;
            var passed = false;
            foreach (var policy in run.Policies)
            {
                if (!policy.Policy.Governs(direction))
                {
                    continue;
                }

                steps.Add(new EvaluationStep(StepKind.PolicyApplies, tier, policy.Policy, null));
                var rules = policy.Rules(direction);
                var first = next;
                next += rules.Length;
                for (var r = 0; r < rules.Length && !passed; r++)
                {
                    if (!matched[first + r])
                    {
                        continue;
                    }

                    var rule = rules[r].Source;
                    switch (rule.Action)
                    {
                        case RuleAction.Log:
                            steps.Add(new EvaluationStep(StepKind.Logged, tier, policy.Policy, rule));
                            continue;
                        case RuleAction.Pass:
                            steps.Add(new EvaluationStep(StepKind.Passed, tier, policy.Policy, rule));
                            passed = true;
                            continue;
                        default:
                            steps.Add(new EvaluationStep(StepKind.Decided, tier, policy.Policy, rule));
                            var allowed = rule.Action == RuleAction.Allow;
                            return new DirectionVerdict(direction, allowed, allowed ? VerdictReason.RuleAllowed : VerdictReason.RuleDenied)
                            {
                                Rule = rule,
                                Policy = policy.Policy,
                                Tier = tier,
                                Steps = steps.ToImmutable(),
                            };
                    }
                }

                if (passed)
                {
                    break;
                }
            }

            anyApplied = true;
            if (passed)
            {
                continue;
            }

            if (tier.EndAction == RuleAction.Deny)
            {
                steps.Add(new EvaluationStep(StepKind.Decided, tier, null, null));
                return new DirectionVerdict(direction, false, VerdictReason.TierEndDenied) { Tier = tier, Steps = steps.ToImmutable() };
            }

            steps.Add(new EvaluationStep(StepKind.TierPassed, tier, null, null));
        }

        return new DirectionVerdict(direction, true, anyApplied ? VerdictReason.PassedAllTiers : VerdictReason.NoPolicyApplies)
        {
            Steps = steps.ToImmutable(),
        };
    }

    /// <summary>Whether each rule of a tier program matches the flow, in program order (its policies' rules, in order).</summary>
    internal List<bool> Matched(TierProgram program, ref FlowRef flow, Direction direction)
    {
        var walker = engine.Walker;
        var remote = walker.RemoteOf(ref flow, direction);
        var hasPorts = flow.Protocol.HasPorts;
        var matched = new List<bool>(program.RuleCount);
        foreach (var part in program.Chunks is null ? [program] : program.Parts)
        {
            var code = part.Code;
            for (var i = 0; i < code[0]; i++)
            {
                // The walker's own test of one rule, on its code.
                matched.Add(walker.RuleMatches(part, code, i, ref flow, ref remote, hasPorts));
            }
        }

        return matched;
    }
}
