using Palisade.Model.Selectors;

namespace Palisade.Model.Tests.Selectors;

/// <summary>Calico's tokenizer test table, transcribed: what it tokenizes we parse, what it rejects we reject.</summary>
public sealed class CalicoTokenizerTableTests
{
    // Source: projectcalico/calico, libcalico-go/lib/selector/tokenizer/tokenizer_test.go, `tokenTests` entries
    // with an expected token list that forms a whole selector, with the canonical form of what they parse to.
    public static TheoryData<string, string> Tokenizes => new()
    {
        { "a==\"b\"", "a == 'b'" },
        { "a!=\"b\"", "a != 'b'" },
        { "a != \"b\"", "a != 'b'" },
        { "(a==\"b\")", "a == 'b'" },
        { "label == \"value\"", "label == 'value'" },
        { "label contains \"value\"", "label contains 'value'" },
        { "contains contains \"contains\"", "contains contains 'contains'" },
        { "contains contains 'contains'", "contains contains 'contains'" },
        { "label contains\"value\"", "label contains 'value'" },
        { "label startswith \"value\"", "label starts with 'value'" },
        { "label endswith \"value\"", "label ends with 'value'" },
        { "label starts with \"value\"", "label starts with 'value'" },
        { "startswith starts with \"value\"", "startswith starts with 'value'" },
        { "label ends with \"value\"", "label ends with 'value'" },
        { "endswith ends with \"value\"", "endswith ends with 'value'" },
        { "label starts  with \"value\"", "label starts with 'value'" },
        { "label ends  with \"value\"", "label ends with 'value'" },
        { new string('a', 512) + " == \"value\"", new string('a', 512) + " == 'value'" },
        { "has(calico/k8s_ns)", "has(calico/k8s_ns)" },
        { "has(calico/k8s_ns/role)", "has(calico/k8s_ns/role)" },
        { "has(calico/k8s_NS-.1/role)", "has(calico/k8s_NS-.1/role)" },
        {
            "calico/k8s_ns == \"kube-system\" && k8s-app == \"kube-dns\"",
            "calico/k8s_ns == 'kube-system' && k8s-app == 'kube-dns'"
        },
        { "a not in {}", "a not in {}" },
        { "a not in {\"a\"}", "a not in {'a'}" },
        { "a not in {\"a\",\"B\"}", "a not in {'B', 'a'}" },
        { "global()", "global()" },
        { "global( )", "global()" },
        { "all()", "all()" },
        { "all( )", "all()" },
    };

    [Theory]
    [MemberData(nameof(Tokenizes))]
    public void Parse_CalicoTokenizerInput_ParsesToExpectedCanonicalForm(string text, string canonical)
    {
        var selector = Selector.Parse(text);

        Assert.Equal(canonical, selector.ToString());
        Assert.Equal(selector, Selector.Parse(canonical));
    }

    // Same file: the entries Calico's tokenizer rejects (expected == nil), plus the token lists that no selector can
    // be made of (the parser rejects them), with our position and reason.
    public static TheoryData<string, int, string> Rejects => new()
    {
        { new string('a', 513) + " == \"value\"", 0, "label key is longer than 512 characters" },
        { "label == \"value", 9, "unterminated string: expected a closing \"" },
        { "label == 'value", 9, "unterminated string: expected a closing '" },
        { "label = \"value\"", 6, "expected '==' (a single '=' is not an operator)" },
        { "all(", 4, "expected ')' after 'all('" },
        { "global(", 7, "expected ')' after 'global('" },
        { "has()", 4, "expected a label key after 'has(', found ')'" },
        { "has(foo", 7, "expected ')' to close 'has('" },
        { "has( foo ", 9, "expected ')' to close 'has('" },
        { "a == \"b\" & has(foo)", 9, "expected '&&' (a single '&' is not an operator)" },
        { "a == \"b\" | has(foo)", 9, "expected '||' (a single '|' is not an operator)" },
        { "label starts foo \"value\"", 6, "expected an operator after label 'label'" },
        { "label inf \"value\"", 6, "expected an operator after label 'label'" },
        { "label ends foo \"value\"", 6, "expected an operator after label 'label'" },
        { "label ends withs \"value\"", 6, "expected an operator after label 'label'" },
        { "label squiggles \"value\"", 6, "expected an operator after label 'label'" },
        { "a not in \"bar\" && !has(foo) || b in c", 9, "expected '{' to start the set of values after 'not in'" },
        { "a notin\"bar\"&&!has(foo)||b in\"c\"", 7, "expected '{' to start the set of values after 'not in'" },
    };

    [Theory]
    [MemberData(nameof(Rejects))]
    public void Parse_CalicoTokenizerRejection_ThrowsAtPosition(string text, int position, string reason)
    {
        var e = Assert.Throws<SelectorParseException>(() => Selector.Parse(text));

        Assert.Equal(position, e.Position);
        Assert.Contains(reason, e.Reason, StringComparison.Ordinal);
    }
}
