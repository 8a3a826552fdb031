using System.Collections.Immutable;
using Palisade.Model.Selectors;

namespace Palisade.Model.Tests.Selectors;

/// <summary>Kubernetes LabelSelectors compiled to the selector AST, with apimachinery's semantics.</summary>
public sealed class LabelSelectorTests
{
    private static LabelSelector Make(
        (string Key, string Value)[] matchLabels, params LabelSelectorRequirement[] matchExpressions) =>
        new(
            matchLabels.ToImmutableSortedDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal),
            [.. matchExpressions]);

    private static LabelSelectorRequirement Req(string key, LabelSelectorOperator op, params string[] values) =>
        new(key, op, [.. values]);

    public static TheoryData<string, string> Compiled => new()
    {
        { "empty", "all()" },
        { "match-labels", "app == 'web' && tier == 'fe'" },
        { "one-label", "app == 'web'" },
        { "empty-value", "app == ''" },
        { "in", "env in {'production', 'qa'}" },
        { "not-in", "tier not in {'backend', 'frontend'}" },
        { "exists", "has(partition)" },
        { "does-not-exist", "!has(partition)" },
        { "k8s-docs", "component == 'redis' && tier in {'cache'} && environment not in {'dev'}" },
    };

    // Source for "in", "not-in", "exists", "does-not-exist" and "k8s-docs": kubernetes/website,
    // content/en/docs/concepts/overview/working-with-objects/labels.md ("environment in (production, qa)",
    // "tier notin (frontend, backend)", "partition", "!partition", and the set-based matchExpressions example).
    private static LabelSelector Build(string name) => name switch
    {
        "empty" => LabelSelector.Empty,
        "match-labels" => Make([("tier", "fe"), ("app", "web")]),
        "one-label" => Make([("app", "web")]),
        "empty-value" => Make([("app", "")]),
        "in" => Make([], Req("env", LabelSelectorOperator.In, "qa", "production")),
        "not-in" => Make([], Req("tier", LabelSelectorOperator.NotIn, "frontend", "backend")),
        "exists" => Make([], Req("partition", LabelSelectorOperator.Exists)),
        "does-not-exist" => Make([], Req("partition", LabelSelectorOperator.DoesNotExist)),
        "k8s-docs" => Make(
            [("component", "redis")],
            Req("tier", LabelSelectorOperator.In, "cache"),
            Req("environment", LabelSelectorOperator.NotIn, "dev")),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(Compiled))]
    public void ToSelector_LabelSelector_CompilesToExpectedAst(string name, string expected)
    {
        var compiled = Build(name).ToSelector();

        Assert.Equal(expected, compiled.ToString());
        Assert.Equal(Selector.Parse(expected), compiled);
    }

    // Source: kubernetes/kubernetes, staging/src/k8s.io/apimachinery/pkg/labels/selector.go, Requirement.Matches:
    // In and Exists need the key; NotIn and DoesNotExist hold when it is absent.
    public static TheoryData<string, string[], bool> Semantics => new()
    {
        { "in", ["env", "qa"], true },
        { "in", ["env", "dev"], false },
        { "in", [], false },
        { "not-in", [], true },
        { "not-in", ["tier", "cache"], true },
        { "not-in", ["tier", "frontend"], false },
        { "exists", ["partition", ""], true },
        { "exists", [], false },
        { "does-not-exist", [], true },
        { "does-not-exist", ["partition", "x"], false },
        { "empty", [], true },
        { "empty", ["any", "thing"], true },
        { "k8s-docs", ["component", "redis", "tier", "cache"], true },
        { "k8s-docs", ["component", "redis", "tier", "cache", "environment", "prod"], true },
        { "k8s-docs", ["component", "redis", "tier", "cache", "environment", "dev"], false },
        { "k8s-docs", ["tier", "cache"], false },
        { "empty-value", ["app", ""], true },
        { "empty-value", [], false },
    };

    [Theory]
    [MemberData(nameof(Semantics))]
    public void Matches_CompiledLabelSelector_FollowsKubernetesSemantics(string name, string[] labels, bool expected)
    {
        Assert.Equal(expected, Build(name).ToSelector().Matches(LabelSet.Of(labels)));
    }

    [Fact]
    public void ToSelector_DefaultCollections_ReadAsEmptyAndSelectEverything()
    {
        var selector = new LabelSelector(null!, default);

        Assert.Same(Selector.All, selector.ToSelector());
        Assert.Equal(LabelSelector.Empty, selector);
        Assert.Empty(selector.MatchExpressions);
    }

    public static TheoryData<string, string> Invalid => new()
    {
        { "in-without-values", "matchExpressions[0].values: must be non-empty when operator is In" },
        { "not-in-without-values", "matchExpressions[0].values: must be non-empty when operator is NotIn" },
        { "exists-with-values", "matchExpressions[0].values: must be empty when operator is Exists" },
        { "unknown-operator", "matchExpressions[0].operator: '42' is not In, NotIn, Exists or DoesNotExist" },
        { "bad-key", "matchExpressions[0].key: 'Example.com/app' prefix must be a DNS subdomain" },
        { "bad-value", "matchExpressions[0].values[1]: 'not ok' must consist of letters, digits" },
        { "bad-label-key", "matchLabels: key '-app' must consist of letters, digits" },
        { "bad-label-value", "matchLabels[app]: value '" },
    };

    private static LabelSelector BuildInvalid(string name) => name switch
    {
        "in-without-values" => Make([], Req("k", LabelSelectorOperator.In)),
        "not-in-without-values" => Make([], Req("k", LabelSelectorOperator.NotIn)),
        "exists-with-values" => Make([], Req("k", LabelSelectorOperator.Exists, "v")),
        "unknown-operator" => Make([], Req("k", (LabelSelectorOperator)42)),
        "bad-key" => Make([], Req("Example.com/app", LabelSelectorOperator.Exists)),
        "bad-value" => Make([], Req("k", LabelSelectorOperator.In, "ok", "not ok")),
        "bad-label-key" => Make([("-app", "v")]),
        "bad-label-value" => Make([("app", new string('v', 64))]),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void ToSelector_InvalidLabelSelector_ThrowsNamingTheFieldPath(string name, string expected)
    {
        var selector = BuildInvalid(name);

        var e = Assert.Throws<InvalidOperationException>(selector.ToSelector);

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Contains(selector.Validate(), m => m.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_NullLabelValue_IsReportedNotThrown()
    {
        var selector = new LabelSelector(
            ImmutableSortedDictionary.Create<string, string>(StringComparer.Ordinal).Add("app", null!), []);

        Assert.Equal(["matchLabels[app]: value must not be null"], selector.Validate());
    }

    [Theory]
    [InlineData("empty", "")]
    [InlineData("match-labels", "app=web,tier=fe")]
    [InlineData("not-in", "tier notin (frontend,backend)")]
    [InlineData("does-not-exist", "!partition")]
    [InlineData("k8s-docs", "component=redis,tier in (cache),environment notin (dev)")]
    public void ToString_LabelSelector_PrintsKubectlSyntax(string name, string expected)
    {
        Assert.Equal(expected, Build(name).ToString());
    }

    [Fact]
    public void Validate_ValidSelector_ReturnsNoErrors()
    {
        Assert.Empty(Build("k8s-docs").Validate());
    }

    [Fact]
    public void Equals_SameContentBuiltSeparately_AreEqualWithEqualHashes()
    {
        var a = new LabelSelector(
            ImmutableSortedDictionary.CreateRange(
                StringComparer.OrdinalIgnoreCase, [KeyValuePair.Create("b", "2"), KeyValuePair.Create("a", "1")]),
            [Req("k", LabelSelectorOperator.In, "x", "y")]);
        var b = Make([("a", "1"), ("b", "2")], Req("k", LabelSelectorOperator.In, "x", "y"));

        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.Same(StringComparer.Ordinal, a.MatchLabels.KeyComparer);
    }

    [Theory]
    [InlineData("label-value")]
    [InlineData("requirement-values")]
    [InlineData("operator")]
    [InlineData("expression-order")]
    public void Equals_DifferentContent_AreNotEqual(string difference)
    {
        var baseline = Make(
            [("a", "1")], Req("k", LabelSelectorOperator.In, "x"), Req("j", LabelSelectorOperator.Exists));
        var other = difference switch
        {
            "label-value" => Make([("a", "2")], Req("k", LabelSelectorOperator.In, "x"), Req("j", LabelSelectorOperator.Exists)),
            "requirement-values" => Make([("a", "1")], Req("k", LabelSelectorOperator.In, "y"), Req("j", LabelSelectorOperator.Exists)),
            "operator" => Make([("a", "1")], Req("k", LabelSelectorOperator.NotIn, "x"), Req("j", LabelSelectorOperator.Exists)),
            _ => Make([("a", "1")], Req("j", LabelSelectorOperator.Exists), Req("k", LabelSelectorOperator.In, "x")),
        };

        Assert.NotEqual(baseline, other);
    }

    [Fact]
    public void With_NewMatchLabelsOfAnotherComparer_AreNormalizedToOrdinal()
    {
        var changed = LabelSelector.Empty with
        {
            MatchLabels = ImmutableSortedDictionary.CreateRange(
                StringComparer.InvariantCulture, [KeyValuePair.Create("b", "1"), KeyValuePair.Create("B", "2")]),
        };

        Assert.Same(StringComparer.Ordinal, changed.MatchLabels.KeyComparer);
        Assert.Equal(["B", "b"], changed.MatchLabels.Keys);
    }
}
