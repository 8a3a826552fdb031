using Palisade.Engine.Calculation;
using Palisade.Engine.Evaluation;

namespace Palisade.Engine.Tests.Calculation;

/// <summary>
/// The selector index's contract checked on the stage itself, not through verdicts: after any churn of workloads,
/// namespaces, service accounts and policies, each entry's members are exactly the identities whose metadata its
/// conditions match (as the identity index describes them), and each identity's selectors are exactly the entries
/// holding it.
/// </summary>
public sealed class SelectorIndexTests
{
    [Theory]
    [MemberData(nameof(IncrementalEquivalenceTests.ChurnSeeds), MemberType = typeof(IncrementalEquivalenceTests))]
    public void Members_AfterChurn_AreTheIdentitiesTheMetadataMatches(int seed)
    {
        var world = new RandomWorld(seed);
        var engine = CalculationEngine.Build(world.Snapshot(), world.Model(), IncrementalEquivalenceTests.Options(seed));
        var checkedMembers = 0;
        for (var round = 0; round < 6; round++)
        {
            world.Churn(engine, 25, seed + round);
            var (identities, selectors) = (engine.IdentityStage, engine.SelectorStage);
            foreach (var entry in selectors.Matchers)
            {
                if (entry is null)
                {
                    continue;
                }

                var expected = identities.IdentityIds.Where(i => PeerMatching.MatchesMetadata(entry.Peer, identities.FactsOf(identities.Identities[i]!))).Order().ToArray();
                Assert.Equal(expected, entry.Members.Order().ToArray());
                checkedMembers += expected.Length;
            }

            foreach (var i in identities.IdentityIds)
            {
                var identity = identities.Identities[i]!;
                var holding = selectors.Matchers.Where(m => m is not null && m.Members.Contains(i)).Select(m => m!.Id).Order().ToArray();
                Assert.Equal(holding, identity.Matchers.Order().ToArray());
            }
        }

        Assert.True(checkedMembers > 0, $"seed {seed}: no entry had a member");
    }
}
