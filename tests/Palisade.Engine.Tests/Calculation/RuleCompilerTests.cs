using Palisade.Engine.Calculation;
using Palisade.Model.Policies;

namespace Palisade.Engine.Tests.Calculation;

/// <summary>
/// The rule compiler alone: every selector it takes is recorded on the policy (peers also as peers), so that removing
/// the policy releases exactly what compiling took.
/// </summary>
public sealed class RuleCompilerTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Compile_RecordsEverySelectorItTakes(int seed)
    {
        var world = new RandomWorld(seed);
        var acquired = new List<int>();
        var peers = new List<int>();
        var compiler = new RuleCompiler(
            peer =>
            {
                acquired.Add(acquired.Count);
                return acquired.Count - 1;
            },
            peers.Add);
        var taken = 0;
        foreach (var (tierName, policy) in world.Policies.Values)
        {
            acquired.Clear();
            peers.Clear();
            var tier = new TierState { Id = 0, Tier = world.TierState[tierName] };
            var state = new PolicyState { Id = 0, Stamp = 1, Key = RandomWorld.CalculationKey(policy), Policy = policy, Tier = tier };
            state.Ingress = compiler.Compile(state, policy.IngressRules, Direction.Ingress);
            state.Egress = compiler.Compile(state, policy.EgressRules, Direction.Egress);
            Assert.Equal(acquired, state.Matchers);
            Assert.Equal(peers, state.PeerMatchers);
            Assert.Equal(policy.IngressRules.Count, state.Ingress.Length);
            Assert.Equal(policy.EgressRules.Count, state.Egress.Length);
            taken += acquired.Count;
        }

        Assert.True(taken > 0, "no rule named a selector");
    }
}
