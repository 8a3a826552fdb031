using System.Collections.Immutable;
using FsCheck;
using FsCheck.Fluent;
using Palisade.Model.Selectors;

namespace Palisade.Model.Tests.Selectors;

/// <summary>FsCheck generators for selector ASTs, label sets and Kubernetes LabelSelectors.</summary>
/// <remarks>
/// Keys and values are drawn mostly from small pools that are hard on the printer and the tokenizer (keys spelled
/// like keywords, values full of quotes, operators, braces and line breaks), so that generated selectors and label
/// sets often share keys and values and matches are not all false.
/// </remarks>
public static class SelectorArbitraries
{
    private static readonly string[] KeyPool =
    [
        "a", "b", "k", "in", "not", "has", "all", "global", "contains", "starts", "ends", "with", "startswith", "notin",
        "a/b", "k8s-app", "x.y_z", "-", "/", ".", "A1",
    ];

    private static readonly string[] ValuePool =
    [
        "", "v", "w", "vw", "wv", "it's", "say \"hi\"", " ", "\t", "&&", "||", "!", "(", ")", "{", "}", ",", "a b",
        "ü€", "line\nbreak", "==", "'", "\"", "all()", "has(a)",
    ];

    private static readonly char[] KeyChars =
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./-".ToCharArray();

    private static readonly char[] ValueChars = "vw '\"{}(),!&|= \t\nü".ToCharArray();

    private static Gen<string> Keys { get; } = Gen.Frequency(
        (4, Gen.Elements(KeyPool)),
        (1, Gen.Choose(1, 10).SelectMany(n => Gen.ArrayOf(Gen.Elements(KeyChars), n)).Select(cs => new string(cs))));

    /// <summary>Any text at all may be a label value in a LabelSet; a selector value just can't hold both quotes.</summary>
    private static Gen<string> LabelValues { get; } = Gen.Frequency(
        (4, Gen.Elements(ValuePool)),
        (1, Gen.Choose(0, 6).SelectMany(n => Gen.ArrayOf(Gen.Elements(ValueChars), n)).Select(cs => new string(cs))));

    private static Gen<string> SelectorValues { get; } =
        LabelValues.Where(v => !(v.Contains('\'', StringComparison.Ordinal) && v.Contains('"', StringComparison.Ordinal)));

    private static Gen<Selector> Leaves { get; } = Gen.OneOf(
        Gen.Constant(Selector.All),
        Gen.Constant(Selector.Global),
        Keys.Select(Selector.Has),
        Gen.Zip(Keys, SelectorValues, Selector.Equal),
        Gen.Zip(Keys, SelectorValues, Selector.NotEqual),
        Gen.Zip(Keys, SelectorValues, Selector.Contains),
        Gen.Zip(Keys, SelectorValues, Selector.StartsWith),
        Gen.Zip(Keys, SelectorValues, Selector.EndsWith),
        Gen.Zip(Keys, Gen.Choose(0, 4).SelectMany(n => Gen.ListOf(SelectorValues, n)), (k, vs) => Selector.In(k, vs)),
        Gen.Zip(Keys, Gen.Choose(0, 4).SelectMany(n => Gen.ListOf(SelectorValues, n)), (k, vs) => Selector.NotIn(k, vs)));

    public static Arbitrary<Selector> Selectors() =>
        Arb.From(Gen.Sized(size => Tree(Math.Min(size, 40))), Shrink);

    public static Arbitrary<LabelSet> LabelSets() =>
        Arb.From(
            Gen.Choose(0, 6)
                .SelectMany(n => Gen.ListOf(Gen.Zip(Keys, LabelValues), n))
                .Select(pairs => LabelSet.From(pairs.Select(p => KeyValuePair.Create(p.Item1, p.Item2)))));

    public static Arbitrary<LabelSelector> LabelSelectors()
    {
        // Kubernetes-valid keys and values only: ToSelector rejects anything else.
        var keys = Gen.Elements("a", "b", "k", "app", "example.com/tier", "k8s-app");
        var values = Gen.Elements("", "v", "w", "x1", "prod.v-1");
        var requirement =
            from key in keys
            from op in Gen.Elements(Enum.GetValues<LabelSelectorOperator>())
            from count in Gen.Choose(1, 3)
            from vs in Gen.ListOf(values, count)
            select new LabelSelectorRequirement(
                key,
                op,
                op is LabelSelectorOperator.In or LabelSelectorOperator.NotIn ? [.. vs] : []);
        var selector =
            from labelCount in Gen.Choose(0, 3)
            from labels in Gen.ListOf(Gen.Zip(keys, values), labelCount)
            from exprCount in Gen.Choose(0, 3)
            from exprs in Gen.ListOf(requirement, exprCount)
            select new LabelSelector(
                labels.DistinctBy(p => p.Item1).ToImmutableSortedDictionary(p => p.Item1, p => p.Item2, StringComparer.Ordinal),
                [.. exprs]);
        return Arb.From(selector);
    }

    public static Arbitrary<KubernetesLabels> KubernetesLabelSets() =>
        Arb.From(
            Gen.Choose(0, 4)
                .SelectMany(n => Gen.ListOf(
                    Gen.Zip(Gen.Elements("a", "b", "k", "app", "example.com/tier", "other"), Gen.Elements("", "v", "w", "x1")),
                    n))
                .Select(pairs => new KubernetesLabels(LabelSet.From(pairs.Select(p => KeyValuePair.Create(p.Item1, p.Item2))))));

    private static Gen<Selector> Tree(int size)
    {
        if (size <= 1)
        {
            return Leaves;
        }

        var child = Tree(size / 2);
        var nary = Gen.Choose(2, 4).SelectMany(n => Gen.ListOf(child, n)).Select(ops => ops.ToImmutableArray());
        return Gen.Frequency(
            (4, Leaves),
            (1, child.Select(Selector.Not)),
            (1, nary.Select(ops => (Selector)new AndSelector(ops))),
            (1, nary.Select(ops => (Selector)new OrSelector(ops))));
    }

    private static IEnumerable<Selector> Shrink(Selector selector) => selector switch
    {
        NotSelector not => [not.Operand],
        AndSelector and => and.Operands,
        OrSelector or => or.Operands,
        AllSelector => [],
        _ => [Selector.All],
    };
}

/// <summary>A label set drawn from Kubernetes-valid keys, distinct from <see cref="LabelSet"/> so FsCheck can tell them apart.</summary>
public sealed record KubernetesLabels(LabelSet Labels);
