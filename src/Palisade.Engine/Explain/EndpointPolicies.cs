using Palisade.Engine.Calculation;
using Palisade.Model.Policies;

namespace Palisade.Engine.Explain;

/// <summary>Reads what applies at an endpoint of a flushed engine: its policies in evaluation order, and which of their rules match a flow.</summary>
/// <remarks>
/// Contract: reads the endpoint's policy list and tier programs and changes nothing. Whether a rule matches is the
/// verdict walker's own test of it (<see cref="FlowTracer.Matched"/>), so these answers are the engine's.
/// </remarks>
internal static class EndpointPolicies
{
    /// <summary>The policies that apply to an endpoint (none to an unknown or host-network one), tier by tier in evaluation order.</summary>
    public static IEnumerable<PolicyState> Of(CalculationEngine engine, int handle)
    {
        if (handle < 0 || engine.Endpoints[handle] is not { HostNetwork: false } endpoint || engine.ListOf(endpoint) is not { } list)
        {
            yield break;
        }

        foreach (var run in list.Runs)
        {
            foreach (var policy in run.Policies)
            {
                yield return policy;
            }
        }
    }

    /// <summary>
    /// Each policy that applies at the flow's end for the direction (egress at the source, ingress at the destination)
    /// and governs it, in evaluation order, with whether each of its rules for the direction matches the flow.
    /// </summary>
    public static List<(PolicyState Policy, bool[] Matched)> Matching(CalculationEngine engine, ref FlowRef flow, Direction direction)
    {
        var result = new List<(PolicyState, bool[])>();
        var local = direction == Direction.Egress ? flow.Source : flow.Destination;
        if (local is null || local.HostNetwork || engine.ListOf(local) is not { } list)
        {
            return result;
        }

        var tracer = new FlowTracer(engine);
        foreach (var run in list.Runs)
        {
            if ((direction == Direction.Ingress ? run.Ingress : run.Egress) is not { } program)
            {
                continue;
            }

            // A tier program holds the rules of the run's policies that govern the direction, policy after policy.
            var matched = tracer.Matched(program, ref flow, direction);
            var next = 0;
            foreach (var policy in run.Policies)
            {
                if (!policy.Policy.Governs(direction))
                {
                    continue;
                }

                var count = policy.Rules(direction).Length;
                result.Add((policy, [.. matched.GetRange(next, count)]));
                next += count;
            }
        }

        return result;
    }
}
