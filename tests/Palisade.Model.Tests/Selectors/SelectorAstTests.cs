using System.Collections.Immutable;
using Palisade.Model.Selectors;

namespace Palisade.Model.Tests.Selectors;

/// <summary>Building, printing and evaluating selector ASTs made in code.</summary>
public sealed class SelectorAstTests
{
    public static TheoryData<string, string> Printed => new()
    {
        { nameof(Selector.All), "all()" },
        { "not-all", "!all()" },
        { "equal", "k == 'v'" },
        { "equal-single-quote", "k == \"it's\"" },
        { "equal-double-quote", "k == 'say \"hi\"'" },
        { "equal-empty", "k == ''" },
        { "in-unsorted", "k in {'a', 'b', 'c'}" },
        { "not-in-empty", "k not in {}" },
        { "and-of-or", "(has(a) || has(b)) && has(c)" },
        { "or-of-and", "has(a) && has(b) || has(c)" },
        { "and-of-and", "has(a) && (has(b) && has(c))" },
        { "or-of-or", "(has(a) || has(b)) || has(c)" },
        { "not-of-and", "!(has(a) && has(b))" },
        { "not-of-not", "!(!has(a))" },
        { "not-of-comparison", "!k in {'v'}" },
        { "and-of-not", "!has(a) && !global()" },
    };

    private static Selector Build(string name) => name switch
    {
        nameof(Selector.All) => Selector.All,
        "not-all" => Selector.Not(Selector.All),
        "equal" => Selector.Equal("k", "v"),
        "equal-single-quote" => Selector.Equal("k", "it's"),
        "equal-double-quote" => Selector.Equal("k", "say \"hi\""),
        "equal-empty" => Selector.Equal("k", ""),
        "in-unsorted" => Selector.In("k", "c", "a", "b", "a"),
        "not-in-empty" => Selector.NotIn("k"),
        "and-of-or" => Selector.And(Selector.Or(Selector.Has("a"), Selector.Has("b")), Selector.Has("c")),
        "or-of-and" => Selector.Or(Selector.And(Selector.Has("a"), Selector.Has("b")), Selector.Has("c")),
        "and-of-and" => Selector.And(Selector.Has("a"), Selector.And(Selector.Has("b"), Selector.Has("c"))),
        "or-of-or" => Selector.Or(Selector.Or(Selector.Has("a"), Selector.Has("b")), Selector.Has("c")),
        "not-of-and" => Selector.Not(Selector.And(Selector.Has("a"), Selector.Has("b"))),
        "not-of-not" => Selector.Not(Selector.Not(Selector.Has("a"))),
        "not-of-comparison" => Selector.Not(Selector.In("k", "v")),
        "and-of-not" => Selector.And(Selector.Not(Selector.Has("a")), Selector.Not(Selector.Global)),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(Printed))]
    public void ToString_BuiltAst_PrintsMinimalCanonicalFormThatReparsesEqual(string name, string expected)
    {
        var selector = Build(name);

        Assert.Equal(expected, selector.ToString());
        Assert.Equal(selector, Selector.Parse(expected));
    }

    [Fact]
    public void And_OneOperand_IsThatOperand()
    {
        var has = Selector.Has("a");

        Assert.Same(has, Selector.And(has));
        Assert.Same(Selector.All, Selector.And());
    }

    [Fact]
    public void Or_NoOperands_MatchesNothing()
    {
        Assert.False(Selector.Or().Matches(LabelSet.Of("a", "b"), global: true));
    }

    [Fact]
    public void AndSelector_OneOperand_IsRejected()
    {
        Assert.Throws<ArgumentException>(() => new AndSelector(ImmutableArray.Create(Selector.All)));
        Assert.Throws<ArgumentException>(() => new OrSelector(default(ImmutableArray<Selector>)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a b")]
    [InlineData("a=b")]
    [InlineData("é")]
    [InlineData("a\n")]
    public void HasSelector_KeyOutsideCalicosAlphabet_IsRejected(string key)
    {
        var e = Assert.Throws<ArgumentException>(() => Selector.Has(key));

        Assert.Equal("Key", e.ParamName);
    }

    [Fact]
    public void EqualSelector_KeyOf513Characters_IsRejected()
    {
        Assert.Throws<ArgumentException>(() => Selector.Equal(new string('k', 513), "v"));
        Assert.Equal(512, Selector.Has(new string('k', 512)).ToString().Length - "has()".Length);
    }

    [Fact]
    public void EqualSelector_ValueWithBothQuoteKinds_IsRejectedBecauseNoQuotingCanSpellIt()
    {
        var e = Assert.Throws<ArgumentException>(() => Selector.Equal("k", "it's \"x\""));

        Assert.Contains("both", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Selector.In("k", "ok", "'\""));
    }

    [Fact]
    public void Matches_NotEqualAndNotIn_MatchAbsentKeysWhileOthersDoNot()
    {
        var empty = LabelSet.Empty;

        Assert.True(Selector.NotEqual("k", "v").Matches(empty));
        Assert.True(Selector.NotIn("k", "v").Matches(empty));
        Assert.False(Selector.Equal("k", "v").Matches(empty));
        Assert.False(Selector.In("k", "v").Matches(empty));
        Assert.False(Selector.Contains("k", "").Matches(empty));
        Assert.False(Selector.StartsWith("k", "").Matches(empty));
        Assert.False(Selector.EndsWith("k", "").Matches(empty));
        Assert.False(Selector.Has("k").Matches(empty));
    }

    [Fact]
    public void Matches_EmptySubstring_MatchesAnyPresentValue()
    {
        var labels = LabelSet.Of("k", "");

        Assert.True(Selector.Contains("k", "").Matches(labels));
        Assert.True(Selector.StartsWith("k", "").Matches(labels));
        Assert.True(Selector.EndsWith("k", "").Matches(labels));
    }

    [Fact]
    public void Matches_Comparisons_AreOrdinalAndCaseSensitive()
    {
        var labels = LabelSet.Of("k", "Straße");

        Assert.False(Selector.Equal("k", "strasse").Matches(labels));
        Assert.False(Selector.Contains("k", "SS").Matches(labels));
        Assert.True(Selector.EndsWith("k", "ße").Matches(labels));
        Assert.False(Selector.In("k", "straße").Matches(labels));
    }

    [Fact]
    public void Matches_EmptyInSet_MatchesNothingAndEmptyNotInSetMatchesEverything()
    {
        var labels = LabelSet.Of("k", "v");

        Assert.False(Selector.In("k").Matches(labels));
        Assert.True(Selector.NotIn("k").Matches(labels));
        Assert.True(Selector.NotIn("k").Matches(LabelSet.Empty));
    }

    [Fact]
    public void Matches_LargeSelectorOnHotPath_AllocatesNothing()
    {
        var selector = Selector.Parse(
            "(a == '1' || b != '2') && c in {'3', '4', '5'} && d not in {'6'} && e contains 'x' && " +
            "f starts with 'y' && g ends with 'z' && has(h) && !has(i) && all() && !global()");
        var labels = LabelSet.Of("a", "1", "c", "4", "e", "axb", "f", "yes", "g", "fizz", "h", "");
        Assert.True(selector.Matches(labels));

        var before = GC.GetAllocatedBytesForCurrentThread();
        var matched = 0;
        for (var i = 0; i < 1000; i++)
        {
            matched += selector.Matches(labels) ? 1 : 0;
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(1000, matched);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Equals_RecordsWithCollections_CompareByValueNotReference()
    {
        var a = new AndSelector(ImmutableArray.Create<Selector>(Selector.Has("a"), Selector.In("k", "x", "y")));
        var b = new AndSelector(ImmutableArray.Create<Selector>(Selector.Has("a"), Selector.In("k", "y", "x")));

        Assert.Equal(a, b);
        Assert.True(a == b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual<Selector>(a, new OrSelector(a.Operands));
    }
}
