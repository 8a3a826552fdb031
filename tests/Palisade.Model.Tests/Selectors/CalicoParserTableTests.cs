using Palisade.Model.Selectors;

namespace Palisade.Model.Tests.Selectors;

/// <summary>Calico's own parser test tables, transcribed: the same inputs must be accepted, rejected and matched alike.</summary>
public sealed class CalicoParserTableTests
{
    // Source: projectcalico/calico, libcalico-go/lib/selector/parser/parser_test.go, `selectorTests`.
    // Each entry's expMatches become rows expecting true and its expNonMatches rows expecting false; labels are
    // key/value pairs.
    public static TheoryData<string, string[], bool> SelectorTests => new()
    {
        { "a == \"b\"", ["a", "b"], true },
        { "a == \"b\"", ["a", "b", "c", "d"], true },
        { "a == \"b\"", [], false },
        { "a == \"b\"", ["a", "c"], false },
        { "a == \"b\"", ["c", "d"], false },
        { "a == \"b\" && c == \"d\"", ["a", "b", "c", "d"], true },
        { "a == \"b\" && c == \"d\"", [], false },
        { "a == \"b\" && c == \"d\"", ["a", "b", "c", "e"], false },
        { "a == \"b\" && c == \"d\"", ["a", "c", "c", "d"], false },
        { "a == \"b\" && c == \"d\"", ["c", "d"], false },
        { "a == \"b\" && c == \"d\"", ["a", "b"], false },
        { "a == \"b\" || c == \"d\"", ["a", "b", "c", "d"], true },
        { "a == \"b\" || c == \"d\"", ["a", "b"], true },
        { "a == \"b\" || c == \"d\"", ["c", "d"], true },
        { "a == \"b\" || c == \"d\"", [], false },
        { "a == \"b\" || c == \"d\"", ["a", "e", "c", "e"], false },
        { "a == \"b\" || c == \"d\"", ["c", "e"], false },
        { "a == \"b\" || c == \"d\"", ["a", "e"], false },
        { "a in {\"'\", '\"', \"c\"}", ["a", "c"], true },
        { "a in {\"'\", '\"', \"c\"}", ["a", "\""], true },
        { "a in {\"'\", '\"', \"c\"}", ["a", "'"], true },
        { "a in {\"'\", '\"', \"c\"}", [], false },
        { "a in {\"'\", '\"', \"c\"}", ["a", "e"], false },
        { "a not in {\"'\", '\"', \"c\"}", [], true },
        { "a not in {\"'\", '\"', \"c\"}", ["a", "e"], true },
        { "a not in {\"'\", '\"', \"c\"}", ["a", "c"], false },
        { "a not in {\"'\", '\"', \"c\"}", ["a", "\""], false },
        { "a not in {\"'\", '\"', \"c\"}", ["a", "'"], false },
        { "a == 'a'", ["a", "a"], true },
        { "a == \"a\"", ["a", "a"], true },
        { "a != \"b\"", ["a", "a"], true },
        { "a != \"a\"", [], true },
        { "a contains \"a\"", ["a", "a"], true },
        { "a contains \"a\"", ["a", "bab"], true },
        { "a contains \"a\"", ["a", "aaa", "b", "c"], true },
        { "a contains \"a\"", [], false },
        { "a contains \"a\"", ["a", "b"], false },
        { "a contains \"a\"", ["b", "aaa"], false },
        { "a starts with \"a\"", ["a", "a"], true },
        { "a starts with \"a\"", ["a", "abb"], true },
        { "a starts with \"a\"", ["a", "aaa", "b", "c"], true },
        { "a starts with \"a\"", [], false },
        { "a starts with \"a\"", ["a", "b"], false },
        { "a starts with \"a\"", ["a", "baa"], false },
        { "a starts with \"a\"", ["b", "aaa"], false },
        { "a ends with \"a\"", ["a", "a"], true },
        { "a ends with \"a\"", ["a", "bba"], true },
        { "a ends with \"a\"", ["a", "aaa", "b", "c"], true },
        { "a ends with \"a\"", [], false },
        { "a ends with \"a\"", ["a", "b"], false },
        { "a ends with \"a\"", ["a", "aab"], false },
        { "a ends with \"a\"", ["b", "aaa"], false },
        { "a in {\"a\"}", ["a", "a"], true },
        { "!a in {\"a\"}", ["a", "b"], true },
        { "a in {\"a\", \"b\"}", ["a", "a"], true },
        { "a in {\"a\", \"b\"}", ["a", "b"], true },
        { "a not in {\"d\", \"e\"}", ["a", "a"], true },
        { "has(a)", ["a", "b"], true },
        { "!has(a)", ["b", "b"], true },
        { "", [], true },
        { " ", [], true },
        { "", ["a", "b"], true },
        { "all()", [], true },
        { " all()", [], true },
        { " all()", ["a", "b"], true },

        // Calico's evaluator answers true for global(): it rewrites global() into a label test before evaluating.
        // Our Matches takes the answer as its `global` argument, which these rows pass as true.
        { "global()", [], true },
        { " global()", [], true },
        { " global()", ["a", "b"], true },
        { "a == 'a'", ["a", "b"], false },
        { "a == 'a'", [], false },
        { "a != \"a\"", ["a", "a"], false },
        { "a != 'a'", ["a", "a"], false },
        { "a in {\"a\"}", ["a", "b"], false },
        { "a not in {\"a\"}", ["a", "a"], false },
        { "a in {\"a\", \"b\"}", ["a", "c"], false },
        { "has(b)", ["a", "b"], false },
        { "!!has(b)", ["a", "b"], false },
        { "! has(a)", ["a", "b"], false },
        { "!has(a)", ["a", "b"], false },
        { "!!! has(a)", ["a", "b"], false },
        { "!!!has(a)", ["a", "b"], false },
        { "!! ! has(a)", ["a", "b"], false },
        { "! !!has(a)", ["a", "b"], false },

        // "Boolean expressions..."
        { "a == 'a1' && b == 'b1'", ["a", "a1", "b", "b1"], true },
        { "a == 'a1' && b != 'b1'", ["a", "a1", "b", "b1"], false },
        { "a != 'a1' && b == 'b1'", ["a", "a1", "b", "b1"], false },
        { "a != 'a1' && b != 'b1'", ["a", "a1", "b", "b1"], false },
        { "a != 'a1' && !b == 'b1'", ["a", "a1", "b", "b1"], false },
        { "!a == 'a1' && b == 'b1'", ["a", "a1", "b", "b1"], false },
        { "has(a) && !has(b)", ["a", "a"], true },
        { "!has(b) && has(a)", ["a", "a"], true },
        { "!(!has(a) || has(b))", ["a", "a"], true },
        { "!(has(b) || !has(a))", ["a", "a"], true },
        { "a == 'a1' || b == 'b1'", ["a", "a1", "b", "b1"], true },
        { "a == 'a1' || b != 'b1'", ["a", "a1", "b", "b1"], true },
        { "a != 'a1' || b == 'b1'", ["a", "a1", "b", "b1"], true },
        { "a != 'a1' || b != 'b1'", ["a", "a1", "b", "b1"], false },
        { "! a == 'a1' || ! b == 'b1'", ["a", "a1", "b", "b1"], false },
    };

    [Theory]
    [MemberData(nameof(SelectorTests))]
    public void Matches_CalicoSelectorTestsRow_AgreesWithCalico(string text, string[] labels, bool expected)
    {
        var selector = Selector.Parse(text);
        var labelSet = LabelSet.Of(labels);

        Assert.Equal(expected, selector.Matches(labelSet, global: true));
    }

    [Theory]
    [MemberData(nameof(SelectorTests))]
    public void Matches_CalicoSelectorTestsRowAfterCanonicalising_AgreesWithCalico(
        string text, string[] labels, bool expected)
    {
        // Calico's test re-parses each selector's String() and checks the same labels again; so do we.
        var canonical = Selector.Parse(Selector.Parse(text).ToString());

        Assert.Equal(expected, canonical.Matches(LabelSet.Of(labels), global: true));
    }

    // Source: projectcalico/calico, libcalico-go/lib/selector/parser/parser_test.go, `badSelectors`, each with the
    // position we report and a fragment of the reason (Calico reports no position). Calico's list holds `"FOO`
    // twice; it appears once here.
    public static TheoryData<string, int, string> BadSelectors => new()
    {
        { "b == b", 5, "expected a quoted string after '==', found label 'b'" },
        { "b contains b", 11, "expected a quoted string after 'contains'" },
        { "b starts with b", 14, "expected a quoted string after 'starts with'" },
        { "b ends with b", 12, "expected a quoted string after 'ends with'" },
        { "'b1' == b", 0, "expected a label key, has(key), all(), global(), '!' or '(', found a quoted string" },
        { "b", 1, "expected an operator after label 'b'" },
        { "a b", 2, "expected an operator after label 'a'" },
        { "!", 1, "expected a label key, has(key), all(), global(), '!' or '('" },
        { "foo == \"bar\" &", 13, "expected '&&'" },
        { "foo == \"bar\" |", 13, "expected '||'" },
        { "foo != ||", 7, "expected a quoted string after '!=', found '||'" },
        { "foo in {\"\", ||", 12, "expected a quoted string or '}' after ',', found '||'" },
        { "foo in \"\"", 7, "expected '{' to start the set of values after 'in', found a quoted string" },
        { "\"FOO", 0, "unterminated string: expected a closing \"" },
        { "\"FOO'", 0, "unterminated string: expected a closing \"" },
        { "'FOO", 0, "unterminated string: expected a closing '" },
        { "(", 1, "expected a label key, has(key), all(), global(), '!' or '('" },
        { "(a == \"foo\"", 11, "expected '&&', '||' or ')' to close the '(' at position 0" },
        { ")", 0, "found ')'" },
        { "()", 1, "expected a label key, has(key), all(), global(), '!' or '(', found ')'" },
        { "%", 0, "found '%'" },
        { "a == \"b\" && %", 12, "found '%'" },
        { "a == \"b\" || %", 12, "found '%'" },
        { "a ", 2, "expected an operator after label 'a': ==, !=, in, not in, contains, starts with or ends with" },
        { "has(foo) &&", 11, "expected a label key, has(key), all(), global(), '!' or '('" },
    };

    [Theory]
    [MemberData(nameof(BadSelectors))]
    public void Parse_CalicoBadSelector_ThrowsAtPositionNamingWhatWasExpected(string text, int position, string reason)
    {
        var e = Assert.Throws<SelectorParseException>(() => Selector.Parse(text));

        Assert.Equal(text, e.Text);
        Assert.Equal(position, e.Position);
        Assert.Contains(reason, e.Reason, StringComparison.Ordinal);
        Assert.Equal($"invalid selector \"{text}\": at position {position}: {e.Reason}", e.Message);
    }

    [Theory]
    [MemberData(nameof(BadSelectors))]
    public void TryParse_CalicoBadSelector_ReturnsFalseWithTheError(string text, int position, string reason)
    {
        Assert.False(Selector.TryParse(text, out var selector, out var error));
        Assert.Null(selector);
        Assert.Equal(position, error.Position);
        Assert.Contains(reason, error.Reason, StringComparison.Ordinal);
    }

    // Source: projectcalico/calico, libcalico-go/lib/selector/parser/parser_test.go, `canonicalisationTests`:
    // input, Calico's canonical String(), and ours. Calico double-quotes and parenthesizes every &&/|| group; we
    // single-quote and parenthesize only where needed. Both canonical forms must parse to the input's AST.
    public static TheoryData<string, string, string> Canonicalisation => new()
    {
        { "", "all()", "all()" },
        { " all() ", "all()", "all()" },
        { " (all() )", "all()", "all()" },
        { "! (has( b)||! has(a ))", "!(has(b) || !has(a))", "!(has(b) || !has(a))" },
        { "! (a == \"b\"&&! c != \"d\")", "!(a == \"b\" && !c != \"d\")", "!(a == 'b' && !c != 'd')" },
        { "a == \"'\"", "a == \"'\"", "a == \"'\"" },
        { "a == '\"'", "a == '\"'", "a == '\"'" },
        { "a contains '\"'", "a contains '\"'", "a contains '\"'" },
        { "a contains \"'\"", "a contains \"'\"", "a contains \"'\"" },
        { "a startswith '\"'", "a starts with '\"'", "a starts with '\"'" },
        { "a endswith \"'\"", "a ends with \"'\"", "a ends with \"'\"" },
        { "a!='\"'", "a != '\"'", "a != '\"'" },
        { "a in {\"d\"}", "a in {\"d\"}", "a in {'d'}" },
        { "a in {\"a\", \"b\"}", "a in {\"a\", \"b\"}", "a in {'a', 'b'}" },
        { "a in {\"d\", \"a\", \"b\"}", "a in {\"a\", \"b\", \"d\"}", "a in {'a', 'b', 'd'}" },
        { "a in {\"z\", \"x\", \"y\", \"a\"}", "a in {\"a\", \"x\", \"y\", \"z\"}", "a in {'a', 'x', 'y', 'z'}" },
        { "a in {\"z\", \"z\", \"x\", \"y\", \"x\", \"a\"}", "a in {\"a\", \"x\", \"y\", \"z\"}", "a in {'a', 'x', 'y', 'z'}" },

        // Same file, the Visitor table, without the "visited/" prefix the visitor adds.
        { "k == 'v'", "k == \"v\"", "k == 'v'" },
        { "k != 'v'", "k != \"v\"", "k != 'v'" },
        { "k contains 'v'", "k contains \"v\"", "k contains 'v'" },
        { "k starts with 'v'", "k starts with \"v\"", "k starts with 'v'" },
        { "k ends with 'v'", "k ends with \"v\"", "k ends with 'v'" },
        { "k == 'v' && x == 'y'", "(k == \"v\" && x == \"y\")", "k == 'v' && x == 'y'" },
        { "k == 'v' || has(x)", "(k == \"v\" || has(x))", "k == 'v' || has(x)" },
        { "!(k == 'v')", "!k == \"v\"", "!k == 'v'" },
        { "k in {'v'}", "k in {\"v\"}", "k in {'v'}" },
        { "k not in {'v'}", "k not in {\"v\"}", "k not in {'v'}" },
        {
            "!(!(k == 'v' && has(t) || all()) && (a in {'b', 'c'}))",
            "!(!((k == \"v\" && has(t)) || all()) && a in {\"b\", \"c\"})",
            "!(!(k == 'v' && has(t) || all()) && a in {'b', 'c'})"
        },
    };

    [Theory]
    [MemberData(nameof(Canonicalisation))]
    public void ToString_CalicoCanonicalisationInput_PrintsOurCanonicalForm(string input, string calico, string ours)
    {
        Assert.Equal(ours, Selector.Parse(input).ToString());
        Assert.Equal(ours, Selector.Parse(calico).ToString());
    }

    [Theory]
    [MemberData(nameof(Canonicalisation))]
    public void Parse_CalicosCanonicalForm_GivesTheInputsAst(string input, string calico, string ours)
    {
        var expected = Selector.Parse(input);

        Assert.Equal(expected, Selector.Parse(calico));
        Assert.Equal(expected, Selector.Parse(ours));
    }
}
