using Palisade.Engine.Calculation;

namespace Palisade.Engine.Tests.Calculation;

/// <summary>
/// The engine's compact set of ints answers as a hash set does, across the change from its small form (an array) to
/// its large one, and keeps the order items were added in while small.
/// </summary>
public sealed class IntSetTests
{
    [Fact]
    public void RandomOperations_AnswerAsAHashSet()
    {
        var random = new Random(7);
        for (var trial = 0; trial < 200; trial++)
        {
            // Small universes make adds and removes of present items common; large ones push sets past the limit.
            var universe = trial % 2 == 0 ? 12 : 80;
            var set = new IntSet();
            var expected = new HashSet<int>();
            for (var step = 0; step < 300; step++)
            {
                var item = random.Next(universe);
                if (random.Next(3) == 0)
                {
                    Assert.Equal(expected.Remove(item), set.Remove(item));
                }
                else
                {
                    Assert.Equal(expected.Add(item), set.Add(item));
                }

                Assert.Equal(expected.Count, set.Count);
                var probe = random.Next(universe);
                Assert.Equal(expected.Contains(probe), set.Contains(probe));
            }

            Assert.Equal(expected.Order(), set.ToArray().Order());
            var enumerated = new List<int>();
            foreach (var item in set)
            {
                enumerated.Add(item);
            }

            Assert.Equal(expected.Order(), enumerated.Order());
            Assert.Equal(expected.Order(), set.Order());
        }
    }

    [Fact]
    public void SmallSet_KeepsTheOrderItemsWereAddedIn_AcrossRemovals()
    {
        var set = new IntSet { 5, 3, 9, 1 };
        Assert.False(set.Add(3));
        Assert.True(set.Remove(3));
        Assert.False(set.Remove(3));
        set.Add(0);
        Assert.Equal([5, 9, 1, 0], set.ToArray());
        Assert.Equal([5, 9, 1, 0], set);
    }

    [Fact]
    public void SetGrowingPastTheLimit_KeepsEveryItem()
    {
        var set = new IntSet();
        for (var i = 0; i <= IntSet.SmallLimit; i++)
        {
            Assert.True(set.Add(i * 10));
        }

        Assert.Equal(IntSet.SmallLimit + 1, set.Count);
        Assert.All(Enumerable.Range(0, IntSet.SmallLimit + 1), i => Assert.True(set.Contains(i * 10)));
        Assert.False(set.Contains(5));
        Assert.False(set.Add(0));
        Assert.True(set.Remove(0));
        Assert.Equal(Enumerable.Range(1, IntSet.SmallLimit).Select(i => i * 10), set.ToArray().Order());
    }

    [Fact]
    public void EmptySet_HasNothing()
    {
        var set = new IntSet();
        Assert.Empty(set);
        Assert.Empty(set.ToArray());
        Assert.False(set.Contains(0));
        Assert.False(set.Remove(0));
    }
}
