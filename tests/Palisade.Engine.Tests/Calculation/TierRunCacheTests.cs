using Palisade.Engine.Calculation;

namespace Palisade.Engine.Tests.Calculation;

/// <summary>
/// The tier-run cache alone: runs are interned by content, an edit made once in a flush is shared, a run no list took
/// is forgotten at the flush's end, and a run is forgotten when its last holder lets go.
/// </summary>
public sealed class TierRunCacheTests
{
    [Fact]
    public void Runs_AreSharedWhileHeldAndForgottenWhenNot()
    {
        var world = new RandomWorld(3);
        var engine = CalculationEngine.Build(world.Snapshot(), world.Model());
        var tier = engine.PolicyStates.GroupBy(p => p.Tier).OrderByDescending(g => g.Count()).First();
        var policies = tier.ToArray();
        Array.Sort(policies, PolicyPrecedence.Compare);
        Assert.True(policies.Length >= 2, "the world's largest tier holds one policy");

        var cache = new TierRunCache(new TierProgramCompiler(new CalculationOptions()));
        var run = cache.Intern(tier.Key, policies);
        Assert.Same(run, cache.Intern(tier.Key, [.. policies]));
        Assert.Equal(1, cache.Count);

        // An edit is made once in a flush: every list sharing the run gets the same edited run.
        var edited = cache.Edit(run, policies[0], added: false);
        Assert.NotNull(edited);
        Assert.Same(edited, cache.Edit(run, policies[0], added: false));
        Assert.Equal(policies[1..], edited!.Policies);

        // A list holds the first run; the edited one, taken by no list, goes at the end of the flush.
        run.RefCount++;
        cache.EndFlush();
        Assert.Equal(1, cache.Count);
        Assert.Same(run, cache.Intern(tier.Key, policies));
        Assert.All(cache.Census(), t => Assert.True(t.Table == "tier runs" || t.Count == 0, $"{t.Table}: {t.Count} after the flush"));

        // The last holder lets go: the run leaves the cache, and a new intern builds another.
        cache.Release([run]);
        Assert.Equal(0, cache.Count);
        Assert.NotSame(run, cache.Intern(tier.Key, policies));
        cache.EndFlush();
        Assert.All(cache.Census(), t => Assert.Equal(0, t.Count));
    }
}
