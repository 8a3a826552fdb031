using Palisade.Engine.Calculation;
using Palisade.Model.Policies;

namespace Palisade.Engine.Tests.Calculation;

/// <summary>
/// The tier-program compiler alone: a chunked program with one policy spliced in or out holds the rules, the index
/// and the always-checked rules of a program built afresh from the same policies (chunk boundaries may differ).
/// </summary>
public sealed class TierProgramCompilerTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    public void Splice_OnePolicyInOrOut_EqualsABuildOfTheSamePolicies(int seed)
    {
        var world = new RandomWorld(seed);
        for (var i = 0; i < 6; i++)
        {
            // Updates change policies among the rest, so that tiers hold other sets of policies.
            world.NextUpdate();
        }

        var options = new CalculationOptions { ChunkThreshold = 0, ChunkRules = 1 + (seed % 3) };
        var engine = CalculationEngine.Build(world.Snapshot(), world.Model(), options);
        var compiler = new TierProgramCompiler(options);
        var compared = 0;
        foreach (var tier in engine.PolicyStates.GroupBy(p => p.Tier))
        {
            var all = tier.ToArray();
            Array.Sort(all, PolicyPrecedence.Compare);
            foreach (var direction in (Direction[])[Direction.Ingress, Direction.Egress])
            {
                foreach (var policy in all.Where(p => p.Policy.Governs(direction)))
                {
                    var without = all.Where(p => !ReferenceEquals(p, policy)).ToArray();
                    var full = compiler.Build(all, tier.Key, direction);
                    var fewer = compiler.Build(without, tier.Key, direction);
                    if (fewer is { Chunks: not null } && compiler.Splice(fewer, policy, added: true, direction) is { } grown)
                    {
                        AssertSame(full!, grown);
                        compared++;
                    }

                    if (full is { Chunks: not null } && compiler.Splice(full, policy, added: false, direction) is { } shrunk)
                    {
                        AssertSame(fewer!, shrunk);
                        compared++;
                    }
                }
            }
        }

        Assert.True(compared > 0, "no chunked program was spliced");
    }

    private static void AssertSame(TierProgram expected, TierProgram actual)
    {
        Assert.Equal(Rules(expected), Rules(actual));
        if (expected.Chunks is not null && actual.Chunks is not null)
        {
            Assert.Equal(Index(expected), Index(actual));
        }
    }

    /// <summary>A program's end action and rules in order, each as (policy id, rule index): independent of chunking.</summary>
    private static string Rules(TierProgram program) =>
        $"end {program.Code[1]}: {string.Join(' ', Parts(program).SelectMany(p => Enumerable.Range(0, p.RuleCount).Select(i => RuleAt(p, i))))}";

    /// <summary>A chunked program's always-checked rules and index, each rule as (policy id, rule index).</summary>
    private static string Index(TierProgram program)
    {
        (int Policy, int Rule) At(int position) => RuleAt(program.Parts[position >> TierProgram.ChunkShift], position & TierProgram.MaxChunkRules);
        var text = $"always: {string.Join(' ', program.Always.Select(At))}";
        foreach (var (selector, positions) in program.Index!.OrderBy(e => e.Key))
        {
            text += $"\nselector {selector}: {string.Join(' ', positions.Select(At))}";
        }

        return text;
    }

    private static TierProgram[] Parts(TierProgram program) => program.Chunks is null ? [program] : program.Parts;

    private static (int Policy, int Rule) RuleAt(TierProgram part, int rule)
    {
        var at = TierProgram.HeaderSize + (TierProgram.RuleSize * rule);
        return (part.Code[at + 7], part.Code[at + 8]);
    }
}
