using System.Collections.Immutable;
using Palisade.Engine.Calculation;
using Palisade.Engine.Evaluation;
using Palisade.Model.Cluster;
using Palisade.Model.Policies;

namespace Palisade.Engine.Explain;

/// <summary>
/// Answers one flow at a time with its whole explanation, through the calculation engine: for each direction every
/// tier and policy that applied and the rules that logged, passed or decided; what each staged policy would decide on
/// its own; the verdict if the staged policies were enforced; and why a rule did not match. What <c>palisade check</c>
/// prints.
/// </summary>
/// <remarks>
/// Contract: builds its engines once — the model as enforced and, when it has staged policies, the model with them
/// enforced (<see cref="StagedPolicies.Enforced"/>) — and then only reads them. Each answer allocates: it is for
/// questions one flow at a time, not the fast path. Its answers equal the tests' reference evaluator on every
/// conformance case and on random worlds (CheckEquivalenceTests).
/// </remarks>
public sealed class FlowExplainer
{
    private readonly CalculationEngine engine;
    private readonly CalculationEngine? staged;
    private readonly ImmutableArray<(Tier Tier, Policy Policy)> stagedPolicies;
    private readonly RuleExplainer rules;

    public FlowExplainer(ClusterSnapshot cluster, PolicyModel model, CalculationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(model);
        engine = CalculationEngine.Build(cluster, model, options);
        rules = new RuleExplainer(engine);
        if (model.Policies.Any(p => p.Staged))
        {
            staged = CalculationEngine.Build(cluster, StagedPolicies.Enforced(model), options);
            stagedPolicies = [.. model.Tiers.SelectMany(t => t.Policies.Where(p => p.Staged && !p.StagedDeletion).Select(p => (t, p)))];
        }
    }

    /// <summary>The engine of the enforced policies, which every answer comes from.</summary>
    public CalculationEngine Engine => engine;

    /// <summary>Both directions of a flow: egress at its source, ingress at its destination.</summary>
    public FlowVerdict Explain(Flow flow)
    {
        ArgumentNullException.ThrowIfNull(flow);
        return new FlowVerdict(flow, ExplainDirection(flow, Direction.Egress), ExplainDirection(flow, Direction.Ingress));
    }

    /// <summary>One direction of a flow, with the staged policies' outcomes and the verdict if they were enforced.</summary>
    public DirectionVerdict ExplainDirection(Flow flow, Direction direction)
    {
        var reference = Reference(engine, flow);
        var verdict = new FlowTracer(engine).Direction(ref reference, direction);
        if (staged is null || verdict.Reason is VerdictReason.NotAWorkload or VerdictReason.HostNetwork)
        {
            return verdict;
        }

        var stagedReference = Reference(staged, flow);
        var applied = EndpointPolicies.Matching(staged, ref stagedReference, direction).ToDictionary(a => a.Policy.Key, a => a.Matched, StringComparer.Ordinal);
        var outcomes = ImmutableArray.CreateBuilder<StagedOutcome>();
        foreach (var (tier, policy) in stagedPolicies)
        {
            if (!applied.TryGetValue(CalculationEngine.PolicyKey(policy), out var matched))
            {
                continue;
            }

            // What the staged policy alone would do: its first matching rule that decides or passes.
            var own = policy.Rules(direction);
            var decider = Enumerable.Range(0, own.Count).FirstOrDefault(i => matched[i] && own[i].Action != RuleAction.Log, -1);
            outcomes.Add(new StagedOutcome(tier, policy, decider < 0 ? null : own[decider]));
        }

        return verdict with
        {
            Staged = outcomes.ToImmutable(),
            IfStagedEnforced = new FlowTracer(staged).Direction(ref stagedReference, direction),
        };
    }

    /// <summary>
    /// Why a rule of an enforced policy does not match a flow — the first condition that fails, in words — or null
    /// when it matches: for explanations of denied flows ("no rule matched: ...").
    /// </summary>
    public string? WhyNot(Rule rule, Flow flow)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(flow);
        var reference = Reference(engine, flow);
        return rules.WhyNot(rule, ref reference);
    }

    /// <summary>The flow as the engine takes it: its workloads by handle, with the addresses the flow names.</summary>
    private static FlowRef Reference(CalculationEngine engine, Flow flow)
    {
        ArgumentNullException.ThrowIfNull(flow);
        if (flow.IcmpType is not null)
        {
            throw new ArgumentException($"{flow}: the engine judges flows by protocol and port, not by ICMP type", nameof(flow));
        }

        return new FlowRef(engine.Endpoints, Handle(engine, flow.Source), flow.Source.Address, Handle(engine, flow.Destination), flow.Destination.Address, flow.Protocol, flow.Port);
    }

    private static int Handle(CalculationEngine engine, FlowEnd end) =>
        end.Workload is not { } w ? -1
        : engine.EndpointHandle(w.Id) is var h and >= 0 ? h
        : throw new ArgumentException($"{w.Id} is not a workload of the cluster the explainer was built from", nameof(end));
}
