using Palisade.Model.Selectors;

namespace Palisade.Model.Tests.Selectors;

/// <summary>The corners of Calico's grammar, derived from its tokenizer and parser rather than its tables.</summary>
public sealed class SelectorGrammarTests
{
    // Source: projectcalico/calico, libcalico-go/lib/selector/tokenizer/tokenizer.go and parser/parser.go (behaviour
    // read from the code): each input with the AST it must give, as our canonical form.
    public static TheoryData<string, string> Accepted => new()
    {
        // Keyword operators are only keywords right after a label, so keys may be spelled like them.
        { "in in {'x'}", "in in {'x'}" },
        { "not not in {'x'}", "not not in {'x'}" },
        { "has == 'x'", "has == 'x'" },
        { "all == 'x' && global != 'y'", "all == 'x' && global != 'y'" },
        { "has(has) || has(all)", "has(has) || has(all)" },

        // Two-word operators take any spaces or tabs between their words, or none.
        { "a notin {'x'}", "a not in {'x'}" },
        { "a not\t\tin {'x'}", "a not in {'x'}" },
        { "a ends\twith 'x'", "a ends with 'x'" },

        // Operators and literals need no spaces around them.
        { "a in{'x','y'}", "a in {'x', 'y'}" },
        { "a==''&&b!=\"\"", "a == '' && b != ''" },

        // A set may be empty and may end with a comma.
        { "a in {}", "a in {}" },
        { "a in {'x',}", "a in {'x'}" },
        { "a in { 'y' , 'x' , 'y' }", "a in {'x', 'y'}" },

        // Whitespace inside the call forms.
        { "has( a )", "has(a)" },
        { "\tall(\t)\t", "all()" },

        // A run of '!' folds: an even run cancels, an odd run is one negation.
        { "!!has(a)", "has(a)" },
        { "!!!has(a)", "!has(a)" },
        { "!(!has(a))", "!(!has(a))" },

        // Precedence: ! > && > ||, and ! takes a whole comparison.
        { "!a == 'b'", "!a == 'b'" },
        { "a == 'b' || c == 'd' && e == 'f'", "a == 'b' || c == 'd' && e == 'f'" },
        { "(a == 'b' || c == 'd') && e == 'f'", "(a == 'b' || c == 'd') && e == 'f'" },
        { "!(a == 'b' || c == 'd')", "!(a == 'b' || c == 'd')" },

        // Parentheses leave no node, but they do keep a nested chain from merging into its parent.
        { "((has(a)))", "has(a)" },
        { "has(a) && (has(b) && has(c))", "has(a) && (has(b) && has(c))" },
        { "(has(a) && has(b)) && has(c)", "(has(a) && has(b)) && has(c)" },
        { "has(a) || (has(b) || has(c))", "has(a) || (has(b) || has(c))" },
        { "has(a) || (has(b) && has(c))", "has(a) || has(b) && has(c)" },

        // Label keys: Calico's alphabet, in any arrangement, up to 512 characters.
        { "has(-)", "has(-)" },
        { "has(a/b/c)", "has(a/b/c)" },
        { "has(..)", "has(..)" },
        { "_x.Y-z/9 == 'v'", "_x.Y-z/9 == 'v'" },

        // Values are anything between matching quotes: no escapes, any characters, including other quotes.
        { "a == 'it\"s'", "a == 'it\"s'" },
        { "a == \"it's\"", "a == \"it's\"" },
        { "a == ' && || ! ( ) { } , '", "a == ' && || ! ( ) { } , '" },
        { "a == 'line\nbreak'", "a == 'line\nbreak'" },
        { "a == 'ünïcødé €'", "a == 'ünïcødé €'" },
    };

    [Theory]
    [MemberData(nameof(Accepted))]
    public void Parse_GrammarCorner_GivesExpectedCanonicalForm(string text, string canonical)
    {
        var selector = Selector.Parse(text);

        Assert.Equal(canonical, selector.ToString());
        Assert.Equal(selector, Selector.Parse(canonical));
    }

    public static TheoryData<string, int, string> Rejected => new()
    {
        // Only spaces and tabs separate tokens; Calico rejects line breaks, even trailing ones.
        { "a == 'b'\n", 8, "found a line break" },
        { "\n", 0, "found a line break" },
        { "a == 'b'\r\n&& has(c)", 8, "found a line break" },
        { "a\u00a0== 'b'", 1, "expected an operator after label 'a'" },

        // No "and"/"or"/"not" words: only && || !.
        { "has(a) and has(b)", 7, "expected '&&', '||' or end of selector, found label 'and'" },
        { "has(a) or has(b)", 7, "found label 'or'" },
        { "not has(a)", 4, "expected an operator after label 'not'" },

        // No other comparison spellings, no bare values, no escapes.
        { "a = 'b'", 2, "expected '=='" },
        { "a == b", 5, "expected a quoted string after '=='" },
        { "a in ('b')", 5, "expected '{' to start the set of values after 'in', found '('" },
        { "a in {'b' 'c'}", 10, "expected ',' or '}' after a value in the set, found a quoted string" },
        { "a in {,}", 6, "expected a quoted string or '}', found ','" },
        { "a in {'b',,}", 10, "expected a quoted string or '}' after ',', found ','" },
        { "a in {'b'", 9, "expected ',' or '}' after a value in the set" },
        { "a == 'it\\'s'", 10, "expected '&&', '||' or end of selector, found label 's'" },
        { "a inside {'b'}", 2, "expected an operator after label 'a'" },
        { "a containing 'b'", 2, "expected an operator after label 'a'" },
        { "a starts withx 'b'", 2, "expected an operator after label 'a'" },
        { "a starts", 2, "expected an operator after label 'a'" },
        { "a not ", 2, "expected an operator after label 'a'" },
        { "a in", 4, "expected '{' to start the set of values after 'in'" },

        // Call forms are exact: no space before '(', no argument to all()/global().
        { "has (a)", 4, "expected an operator after label 'has'" },
        { "all(a)", 4, "expected ')' after 'all('" },
        { "has(a b)", 6, "expected ')' to close 'has('" },
        { "has(é)", 4, "expected a label key after 'has(', found 'é'" },
        { "has(" + new string('k', 513) + ")", 4, "label key is longer than 512 characters" },

        // Operators need operands; a comparison needs a label on the left.
        { "&& has(a)", 0, "found '&&'" },
        { "has(a) &&", 9, "expected a label key" },
        { "has(a) has(b)", 7, "expected '&&', '||' or end of selector, found has(b)" },
        { "has(a))", 6, "expected '&&', '||' or end of selector, found ')'" },
        { "!= 'a'", 0, "found '!='" },
        { "éa == 'b'", 0, "found 'é'" },
        { "role == ", 8, "expected a quoted string after '=='" },
    };

    [Theory]
    [MemberData(nameof(Rejected))]
    public void Parse_GrammarCorner_ThrowsAtPositionNamingWhatWasExpected(string text, int position, string reason)
    {
        var e = Assert.Throws<SelectorParseException>(() => Selector.Parse(text));

        Assert.Equal(position, e.Position);
        Assert.Contains(reason, e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_MissingValue_MessageIsExactlyAsSpecified()
    {
        var e = Assert.Throws<SelectorParseException>(() => Selector.Parse("role == "));

        Assert.Equal("invalid selector \"role == \": at position 8: expected a quoted string after '=='", e.Message);
        Assert.Equal("expected a quoted string after '=='", e.Reason);
        Assert.IsAssignableFrom<FormatException>(e);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("\t \t")]
    public void Parse_EmptyOrBlank_IsAll(string text)
    {
        Assert.Same(Selector.All, Selector.Parse(text));
    }

    [Fact]
    public void Parse_Null_ThrowsArgumentNull()
    {
        Assert.Throws<ArgumentNullException>(() => Selector.Parse(null!));
    }

    [Fact]
    public void TryParse_ValidText_ReturnsTheSelectorAndNoError()
    {
        Assert.True(Selector.TryParse("has(a)", out var selector, out var error));
        Assert.Equal(Selector.Has("a"), selector);
        Assert.Null(error);
    }

    [Fact]
    public void Parse_EveryNodeKind_BuildsTheExpectedAst()
    {
        var parsed = Selector.Parse(
            "a == '1' && b != '2' && c in {'3', '4'} && d not in {} && e contains '5' && f starts with '6' " +
            "&& g ends with '7' && has(h) && !has(i) && all() || global()");

        Selector expected = new OrSelector(
            new AndSelector(
                new EqualSelector("a", "1"),
                new NotEqualSelector("b", "2"),
                new InSelector("c", ["4", "3"]),
                new NotInSelector("d", []),
                new ContainsSelector("e", "5"),
                new StartsWithSelector("f", "6"),
                new EndsWithSelector("g", "7"),
                new HasSelector("h"),
                new NotSelector(new HasSelector("i")),
                Selector.All),
            Selector.Global);

        Assert.Equal(expected, parsed);
        Assert.Equal(expected.GetHashCode(), parsed.GetHashCode());
    }

    [Fact]
    public void Parse_ChainOfAnds_IsOneFlatNode()
    {
        var parsed = Assert.IsType<AndSelector>(Selector.Parse("has(a) && has(b) && has(c)"));

        Assert.Equal(3, parsed.Operands.Length);
    }

    [Fact]
    public void Parse_SetsWithSameMembersInAnyOrder_AreEqualNodes()
    {
        var a = Selector.Parse("k in {'b', 'a', 'b'}");
        var b = Selector.Parse("k in {'a', 'b'}");

        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.Equal<string>(["a", "b"], ((InSelector)a).Values);
    }

    [Theory]
    [InlineData("has(a) && has(b)", "has(b) && has(a)")]
    [InlineData("k in {'a'}", "k not in {'a'}")]
    [InlineData("k in {'a'}", "j in {'a'}")]
    [InlineData("k in {'a'}", "k in {'a', 'b'}")]
    [InlineData("has(a) && has(b)", "has(a) || has(b)")]
    [InlineData("k == 'v'", "k != 'v'")]
    [InlineData("k contains 'v'", "k starts with 'v'")]
    [InlineData("all()", "global()")]
    public void Equals_DifferentSelectors_AreNotEqual(string left, string right)
    {
        Assert.NotEqual(Selector.Parse(left), Selector.Parse(right));
    }
}
