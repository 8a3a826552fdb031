using System.Collections.Immutable;
using Palisade.Dataplane.Nftables.Model;
using Palisade.Engine.Calculation;
using Palisade.Model.Cluster;
using Palisade.Model.Policies;
using static Palisade.Dataplane.Nftables.Model.NftStatements;

namespace Palisade.Dataplane.Nftables;

/// <summary>Builds one render's sets and chains, sharing what endpoints share (tier-run chains, selector sets).</summary>
internal sealed class RenderState(CalculationEngine engine, RuleCatalog catalog, bool flowLogs)
{
    private readonly Dictionary<string, NftSet> sets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, NftChain> chains = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Workload> workloads = engine.EndpointViews().ToDictionary(e => e.WorkloadId, e => e.Workload, StringComparer.Ordinal);

    private RuleMatches? matches;

    private RuleMatches Matches => matches ??= new RuleMatches(engine, workloads, sets);

    public NftTable Table() => new("inet", RulesetRenderer.TableName,
        sets.ToImmutableSortedDictionary(StringComparer.Ordinal),
        chains.ToImmutableSortedDictionary(StringComparer.Ordinal));

    public void AddSet(NftSet set) => sets[set.Name] = set;

    public void AddChain(NftChain chain) => chains[chain.Name] = chain;

    /// <summary>The chain judging one direction for endpoints with these tier runs; shared by all such endpoints.</summary>
    public string EndpointChain(List<TierRunView> runs, Direction direction, bool reply)
    {
        var name = $"ep-{RulesetRenderer.Hash(string.Join('\n', runs.Select(r => r.Key)))}-{Suffix(direction, reply)}";
        if (chains.ContainsKey(name))
        {
            return name;
        }

        var rules = new List<NftRule>();
        var ingressBit = direction == Direction.Ingress ? 0x4 : 0x0;
        for (var i = 0; i < runs.Count; i++)
        {
            // The verdict maps that lead here clear the mark just before; a later tier starts afresh after a pass.
            if (i > 0)
            {
                rules.Add(Rule(ClearMark));
            }

            rules.Add(Rule(NftVerdict.Jump(RunChain(runs[i], direction, reply))));

            // One test of the mark for an allowed flow; the log of a new one waits in a chain of its own, which ends
            // where a return would have gone.
            rules.Add(Rule("allowed in this tier", MarkAllows, !reply && flowLogs ? NftVerdict.Goto(RulesetRenderer.AllowedNewChain) : NftVerdict.Return));
        }

        // Every tier passed the flow on: the end of all tiers allows.
        rules.Add(Rule(SetMark(0x1)));
        if (!reply && flowLogs)
        {
            rules.Add(Rule(State(NftCtStates.New), SetMark(0x1 | ingressBit), new NftLog(RulesetRenderer.FlowLogGroup, "pal:allow")));
        }

        chains[name] = new NftChain(name, [.. rules]);
        return name;
    }

    private static string Suffix(Direction direction, bool reply) =>
        (direction == Direction.Ingress ? "in" : "eg") + (reply ? "-r" : "-o");

    /// <summary>The chain of one tier run in one direction: its policies' rules in order, then the tier's end.</summary>
    private string RunChain(TierRunView run, Direction direction, bool reply)
    {
        var name = $"run-{RulesetRenderer.Hash(run.Key)}-{Suffix(direction, reply)}";
        if (chains.ContainsKey(name))
        {
            return name;
        }

        var rules = new List<NftRule>();
        var ingressBit = direction == Direction.Ingress ? 0x4 : 0x0;
        foreach (var policy in run.Policies.Where(p => p.Governs(direction)))
        {
            foreach (var rule in policy.Rules(direction))
            {
                var id = catalog.IdOf($"{policy.Source.ApiVersion} {policy.Source.Kind} {policy.Namespace}/{policy.Name} {rule.Origin.Path}",
                    () => new DecidingRule(run.Tier.Name, policy.Source.DisplayName, rule.Origin.Path, rule.Action, direction));
                NftStatement[] verdict = rule.Action switch
                {
                    RuleAction.Allow => [SetMark((id << 8) | 0x1 | ingressBit), NftVerdict.Return],
                    RuleAction.Deny => [SetMark((id << 8) | ingressBit), NftVerdict.Goto(RulesetRenderer.DenyChain)],
                    RuleAction.Pass => [SetMark((id << 8) | 0x2 | ingressBit), NftVerdict.Return],
                    _ => [State(NftCtStates.New), new NftLog(RulesetRenderer.PolicyLogGroup, "pal:log")],
                };
                foreach (var match in Matches.Of(rule, reply))
                {
                    rules.Add(new NftRule([.. match, NftCounter.Instance, .. verdict], $"{policy.Source.DisplayName} {rule.Origin.Path}"));
                }
            }
        }

        var end = catalog.IdOf($"end {run.Key} {direction}", () => new DecidingRule(run.Tier.Name, null, null, run.Tier.EndAction, direction));
        rules.Add(run.Tier.EndAction == RuleAction.Deny
            ? Rule($"end of tier {run.Tier.Name}", NftCounter.Instance, SetMark((end << 8) | ingressBit), NftVerdict.Goto(RulesetRenderer.DenyChain))
            : Rule($"end of tier {run.Tier.Name}", NftCounter.Instance, SetMark((end << 8) | 0x2 | ingressBit), NftVerdict.Return));
        chains[name] = new NftChain(name, [.. rules]);
        return name;
    }
}
