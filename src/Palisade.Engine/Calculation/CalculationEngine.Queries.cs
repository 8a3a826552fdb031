using System.Globalization;
using System.Text;
using Palisade.Model.Policies;

namespace Palisade.Engine.Calculation;

/// <summary>Queries for explanations and tests: what decided, and a canonical description of the whole state.</summary>
public sealed partial class CalculationEngine
{
    /// <summary>The rule a fast-path outcome names, or null.</summary>
    public Rule? RuleOf(DirectionOutcome outcome)
    {
        if (outcome.Policy < 0 || policyById.Count <= outcome.Policy || policyById[outcome.Policy] is not { } p)
        {
            return null;
        }

        return outcome.Reason is Evaluation.VerdictReason.RuleAllowed or Evaluation.VerdictReason.RuleDenied
            ? p.Rules(outcome.Direction)[outcome.Rule].Source
            : null;
    }

    /// <summary>The policy a fast-path outcome names, or null.</summary>
    public Policy? PolicyOf(DirectionOutcome outcome) =>
        outcome.Policy >= 0 && policyById.Count > outcome.Policy ? policyById[outcome.Policy]?.Policy : null;

    /// <summary>The tier a fast-path outcome names, or null.</summary>
    public Tier? TierOf(DirectionOutcome outcome) =>
        outcome.Tier < 0 ? null : tiers.Values.FirstOrDefault(t => t.Id == outcome.Tier)?.Tier;

    /// <summary>
    /// A canonical text of the state: each selector's members (by endpoint id), each endpoint's ordered policies, and the
    /// selectors the fast path looks a remote endpoint up in (its hot entry's: the peer selectors it is in). Two engines
    /// fed the same final state describe it identically, whatever the order of their updates.
    /// </summary>
    public string DescribeState()
    {
        var sb = new StringBuilder();
        foreach (var (peer, id) in matcherIds.OrderBy(p => p.Key.ToString(), StringComparer.Ordinal).ThenBy(p => p.Key.CalicoScope))
        {
            var members = matchers[id]!.Members.SelectMany(i => identities[i]!.Endpoints).Select(e => endpoints[e]!.Key).Order(StringComparer.Ordinal);
            sb.Append(CultureInfo.InvariantCulture, $"selector {peer} calico={peer.CalicoScope}: {string.Join(' ', members)}\n");
        }

        foreach (var (id, handle) in endpointIds.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var e = endpoints[handle]!;
            var list = e.List < 0 ? "none" : string.Join(", ", lists[e.List]!.Policies.Select(p => PolicyKey(p)));
            var peers = walker.Hot[handle].Matchers.Skip(TierProgram.PeerBlockHeader).Select(m => $"{matchers[m]!.Peer} calico={matchers[m]!.Peer.CalicoScope}").Order(StringComparer.Ordinal);
            sb.Append(CultureInfo.InvariantCulture, $"endpoint {id}: {list}\n  peers: {string.Join("; ", peers)}\n");
        }

        return sb.ToString();
    }
}

/// <summary>The size of every table the engine keeps, for tests that churn leaves nothing behind.</summary>
public sealed partial class CalculationEngine
{
    /// <summary>
    /// The number of live entries in each of the engine's tables, indexes and pending-work sets, by name. Caches filled
    /// on demand count only their stale entries (of namespaces and accounts nothing uses any more). Two engines holding
    /// the same state have the same census whatever the updates that led there (slots freed for reuse are not counted),
    /// so that an entry a removal forgets to drop shows as a difference.
    /// </summary>
    internal IReadOnlyList<(string Table, int Count)> Census()
    {
        static int Live<T>(List<T?> slots)
            where T : class => slots.Count(s => s is not null);

        return
        [
            ("namespaces", namespaceLabels.Count),
            ("service accounts", serviceAccountLabels.Count),
            ("identity ids", identityIds.Count),
            ("identities", Live(identities)),
            ("identities by namespace", identitiesByNamespace.Count),
            ("identities by namespace (members)", identitiesByNamespace.Values.Sum(s => s.Count)),
            ("identities by label", identitiesByLabel.Count),
            ("identities by label (members)", identitiesByLabel.Values.Sum(s => s.Count)),
            ("endpoint ids", endpointIds.Count),
            ("endpoints", Live(endpoints)),
            ("nodes", nodes.Count),
            ("nodes by address", nodesByAddress.Count),
            ("network sets", networkSets.Count),
            ("cached labels of namespaces nothing is in", calicoNamespaceCache.Keys.Count(ns => !namespaceLabels.ContainsKey(ns) && !identitiesByNamespace.ContainsKey(ns) && !HasNetworkSetIn(ns))),
            ("cached labels of accounts nothing uses", calicoAccountCache.Keys.Union(selectableAccountCache.Keys).Count(a => !serviceAccountLabels.ContainsKey(a) && !AccountInUse(a.Ns, a.Sa))),
            ("tiers", tiers.Count),
            ("policies", policies.Count),
            ("policies by id", Live(policyById)),
            ("list ids", listIds.Count),
            ("lists", Live(lists)),
            ("lists by subject", listsBySubject.Count),
            ("lists by subject (members)", listsBySubject.Values.Sum(s => s.Count)),
            ("dirty identities", dirtyIdentities.Count),
            ("dirty lists", dirtyLists.Count),
            .. runCache.Census(),
            ("selector ids", matcherIds.Count),
            ("selectors", Live(matchers)),
            ("selectors by namespace", matchersByNamespace.Count),
            ("selectors by label", matchersByLabel.Count),
            ("selectors by namespace label", matchersByNamespaceLabel.Count),
            ("unindexed selectors", matchersUnindexed.Count),
            ("selectors reading namespaces", matchersReadingNamespaces.Count),
            ("selectors reading service accounts", matchersReadingServiceAccounts.Count),
            ("dirty peer arrays", dirtyPeerArrays.Count),
            ("peer refs changed", peerRefsChanged.Count),
            ("peer blocks", peerBlocks.Count),
        ];
    }
}

/// <summary>Turns fast-path outcomes into the explained form the reference evaluator gives.</summary>
public sealed partial class CalculationEngine
{
    /// <summary>The explained verdict of a fast-path outcome at an endpoint (the deciding rule, or the policies whose tier ended in deny).</summary>
    public Evaluation.DirectionVerdict Explain(int endpoint, DirectionOutcome outcome)
    {
        var tier = TierOf(outcome);
        var steps = System.Collections.Immutable.ImmutableArray.CreateBuilder<Evaluation.EvaluationStep>();
        if (outcome.Reason == Evaluation.VerdictReason.TierEndDenied && endpoint >= 0 && endpoints[endpoint] is { List: >= 0 } e)
        {
            var list = lists[e.List]!;
            foreach (var run in list.Runs)
            {
                if (run.Tier.Id != outcome.Tier)
                {
                    continue;
                }

                foreach (var p in run.Policies)
                {
                    if (p.Policy.Governs(outcome.Direction))
                    {
                        steps.Add(new Evaluation.EvaluationStep(Evaluation.StepKind.PolicyApplies, p.Tier.Tier, p.Policy, null));
                    }
                }
            }
        }

        var rule = RuleOf(outcome);
        if (rule is not null && tier is not null)
        {
            steps.Add(new Evaluation.EvaluationStep(Evaluation.StepKind.Decided, tier, PolicyOf(outcome), rule));
        }

        return new Evaluation.DirectionVerdict(outcome.Direction, outcome.Allowed, outcome.Reason)
        {
            Rule = rule,
            Policy = rule is null ? null : PolicyOf(outcome),
            Tier = tier,
            Steps = steps.ToImmutable(),
        };
    }
}

/// <summary>Shape statistics of the state, for benchmarks and capacity planning.</summary>
public sealed partial class CalculationEngine
{
    /// <summary>The mean number of rules an endpoint's ingress and egress programs hold (what a verdict may walk).</summary>
    public (double Ingress, double Egress) MeanProgramLength()
    {
        long ingress = 0, egress = 0, n = 0;
        foreach (var e in endpoints)
        {
            if (e is null)
            {
                continue;
            }

            n++;
            if (e.List >= 0 && lists[e.List] is { } l)
            {
                ingress += l.IngressProgram.Sum(t => t.Program.RuleCount);
                egress += l.EgressProgram.Sum(t => t.Program.RuleCount);
            }
        }

        return n == 0 ? (0, 0) : ((double)ingress / n, (double)egress / n);
    }
}
