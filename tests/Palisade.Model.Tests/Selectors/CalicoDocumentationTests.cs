using Palisade.Model.Selectors;

namespace Palisade.Model.Tests.Selectors;

/// <summary>The examples in Calico's selector documentation, with the matches the prose promises.</summary>
public sealed class CalicoDocumentationTests
{
    // Source: tigera/docs, calico/_includes/content/_selectors.mdx (the "Selectors" section of
    // calico/reference/resources/networkpolicy.mdx): one row per sentence of the operator table.
    public static TheoryData<string, string[], bool> OperatorTable => new()
    {
        // "Match all in-scope resources. To match no resources, combine this operator with ! to form !all()."
        { "all()", [], true },
        { "all()", ["k", "v"], true },
        { "!all()", [], false },
        { "!all()", ["k", "v"], false },

        // "Matches resources with the label 'k' and value 'v'."
        { "k == 'v'", ["k", "v"], true },
        { "k == 'v'", ["k", "x"], false },
        { "k == 'v'", [], false },

        // "Matches resources without label 'k' or with label 'k' and value not equal to v"
        { "k != 'v'", [], true },
        { "k != 'v'", ["k", "x"], true },
        { "k != 'v'", ["k", "v"], false },

        // "Matches resources with label 'k', independent of value. ... !has(k)"
        { "has(k)", ["k", ""], true },
        { "has(k)", ["j", "k"], false },
        { "!has(k)", ["j", "k"], true },
        { "!has(k)", ["k", "v"], false },

        // "Matches resources with label 'k' and value in the given set"
        { "k in { 'v1', 'v2' }", ["k", "v1"], true },
        { "k in { 'v1', 'v2' }", ["k", "v2"], true },
        { "k in { 'v1', 'v2' }", ["k", "v3"], false },
        { "k in { 'v1', 'v2' }", [], false },

        // "Matches resources without label 'k' or with label 'k' and value not in the given set"
        { "k not in { 'v1', 'v2' }", [], true },
        { "k not in { 'v1', 'v2' }", ["k", "v3"], true },
        { "k not in { 'v1', 'v2' }", ["k", "v1"], false },

        // "... value containing the substring 's'", "... starting with ...", "... ending with ..."
        { "k contains 's'", ["k", "xsx"], true },
        { "k contains 's'", ["k", "xx"], false },
        { "k contains 's'", [], false },
        { "k starts with 's'", ["k", "sx"], true },
        { "k starts with 's'", ["k", "xs"], false },
        { "k starts with 's'", [], false },
        { "k ends with 's'", ["k", "xs"], true },
        { "k ends with 's'", ["k", "sx"], false },
        { "k ends with 's'", [], false },

        // The precedence example: "It would match any resource that did not have label my-label, [and] any
        // resource that both has a value for my-label that starts with prod, and has a role label with value
        // either frontend or business."
        { "! has(my-label) || my-label starts with 'prod' && role in {'frontend','business'}", [], true },
        { "! has(my-label) || my-label starts with 'prod' && role in {'frontend','business'}", ["role", "db"], true },
        {
            "! has(my-label) || my-label starts with 'prod' && role in {'frontend','business'}",
            ["my-label", "production", "role", "business"], true
        },
        {
            "! has(my-label) || my-label starts with 'prod' && role in {'frontend','business'}",
            ["my-label", "production"], false
        },
        {
            "! has(my-label) || my-label starts with 'prod' && role in {'frontend','business'}",
            ["my-label", "dev", "role", "frontend"], false
        },

        // Source: tigera/docs, calico/network-policy/get-started/calico-policy/calico-labels.mdx.
        { "projectcalico.org/name in {\"foo\", \"bar\"}", ["projectcalico.org/name", "bar"], true },
        { "projectcalico.org/name in {\"foo\", \"bar\"}", ["projectcalico.org/name", "baz"], false },
        { "color == \"red\"", ["color", "red"], true },
        { "projectcalico.org/name == \"baz\"", ["projectcalico.org/name", "baz"], true },
        {
            "(foo == \"bar\") && (projectcalico.org/namespace == \"some-namespace\")",
            ["foo", "bar", "projectcalico.org/namespace", "some-namespace"], true
        },
        {
            "(foo == \"bar\") && (projectcalico.org/namespace == \"some-namespace\")",
            ["foo", "bar", "projectcalico.org/namespace", "other"], false
        },

        // Source: tigera/docs, calico/reference/resources/networkpolicy.mdx, "Sample YAML".
        { "role == 'database'", ["role", "database"], true },
        { "role == 'frontend'", ["role", "database"], false },
    };

    [Theory]
    [MemberData(nameof(OperatorTable))]
    public void Matches_DocumentedExample_MatchesAsDocumented(string text, string[] labels, bool expected)
    {
        Assert.Equal(expected, Selector.Parse(text).Matches(LabelSet.Of(labels)));
    }

    [Fact]
    public void Parse_DocumentedPrecedenceExample_EqualsItsBracketing()
    {
        // The documentation's bracketed form, "((!(has(my-label)) || ((my-label starts with 'prod') && (role in
        // {'frontend','business'}))", opens two more parentheses than it closes; this is it balanced.
        const string bracketed =
            "((!(has(my-label))) || ((my-label starts with 'prod') && (role in {'frontend','business'})))";

        var parsed = Selector.Parse("! has(my-label) || my-label starts with 'prod' && role in {'frontend','business'}");

        Assert.Equal(Selector.Parse(bracketed), parsed);
        Assert.Equal(
            Selector.Or(
                Selector.Not(Selector.Has("my-label")),
                Selector.And(Selector.StartsWith("my-label", "prod"), Selector.In("role", "frontend", "business"))),
            parsed);
    }

    [Fact]
    public void Parse_DocumentedBracketingAsPrinted_IsRejectedForItsMissingParentheses()
    {
        var e = Assert.Throws<SelectorParseException>(() =>
            Selector.Parse("((!(has(my-label)) || ((my-label starts with 'prod') && (role in {'frontend','business'}))"));

        Assert.Contains("')' to close the '(' at position", e.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, true)]
    public void Matches_GlobalOperator_IsTheGlobalArgument(bool global, bool expected)
    {
        // "global(): Match all non-namespaced resources." Namespacing is not a label, so the caller says.
        Assert.Equal(expected, Selector.Parse("global()").Matches(LabelSet.Of("a", "b"), global));
    }

    [Theory]
    [InlineData(false, true)]
    [InlineData(true, false)]
    public void Matches_NegatedGlobalInAnExpression_PassesTheGlobalArgumentDown(bool global, bool expected)
    {
        var selector = Selector.Parse("has(a) && !global()");

        Assert.Equal(expected, selector.Matches(LabelSet.Of("a", "b"), global));
    }
}
