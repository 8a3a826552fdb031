using FsCheck.Xunit;
using Palisade.Model.Selectors;

namespace Palisade.Model.Tests.Selectors;

/// <summary>Invariants of the printer, the parser and evaluation, over random ASTs and label sets.</summary>
public sealed class SelectorPropertyTests
{
    [Property(Arbitrary = [typeof(SelectorArbitraries)], MaxTest = 500)]
    public void Parse_PrintedRandomAst_GivesAnEqualAst(Selector selector)
    {
        var reparsed = Selector.Parse(selector.ToString());

        Assert.Equal(selector, reparsed);
        Assert.Equal(selector.GetHashCode(), reparsed.GetHashCode());
    }

    [Property(Arbitrary = [typeof(SelectorArbitraries)], MaxTest = 500)]
    public void ToString_PrintParsePrint_IsStable(Selector selector)
    {
        var printed = selector.ToString();

        Assert.Equal(printed, Selector.Parse(printed).ToString());
    }

    [Property(Arbitrary = [typeof(SelectorArbitraries)], MaxTest = 1000)]
    public void Matches_ReparsedRandomAst_AgreesWithOriginal(Selector selector, LabelSet labels, bool global)
    {
        var reparsed = Selector.Parse(selector.ToString());

        Assert.Equal(selector.Matches(labels, global), reparsed.Matches(labels, global));
    }

    [Property(Arbitrary = [typeof(SelectorArbitraries)], MaxTest = 1000)]
    public void Matches_RandomAst_AgreesWithDocumentedSemantics(Selector selector, LabelSet labels, bool global)
    {
        Assert.Equal(Reference(selector, labels, global), selector.Matches(labels, global));
    }

    [Property(Arbitrary = [typeof(SelectorArbitraries)], MaxTest = 500)]
    public void ToSelector_RandomLabelSelector_AgreesWithKubernetesSemantics(LabelSelector selector, KubernetesLabels labels)
    {
        Assert.Equal(KubernetesReference(selector, labels.Labels), selector.ToSelector().Matches(labels.Labels));
    }

    [Property(Arbitrary = [typeof(SelectorArbitraries)], MaxTest = 300)]
    public void ToSelector_RandomLabelSelector_PrintsToAReparsableEqualAst(LabelSelector selector)
    {
        var compiled = selector.ToSelector();

        Assert.Equal(compiled, Selector.Parse(compiled.ToString()));
    }

    /// <summary>Calico's operator table, written independently of the node classes, with LINQ for clarity.</summary>
    private static bool Reference(Selector s, LabelSet labels, bool global)
    {
        string? Get(string key) => labels.TryGetValue(key, out var v) ? v : null;
        return s switch
        {
            AllSelector => true,
            GlobalSelector => global,
            HasSelector h => Get(h.Key) is not null,
            EqualSelector e => Get(e.Key) == e.Value,
            NotEqualSelector n => Get(n.Key) != n.Value,
            InSelector i => Get(i.Key) is { } v && i.Values.Contains(v),
            NotInSelector n => Get(n.Key) is not { } v || !n.Values.Contains(v),
            ContainsSelector c => Get(c.Key)?.Contains(c.Value, StringComparison.Ordinal) == true,
            StartsWithSelector w => Get(w.Key)?.StartsWith(w.Value, StringComparison.Ordinal) == true,
            EndsWithSelector w => Get(w.Key)?.EndsWith(w.Value, StringComparison.Ordinal) == true,
            NotSelector n => !Reference(n.Operand, labels, global),
            AndSelector a => a.Operands.All(o => Reference(o, labels, global)),
            OrSelector o => o.Operands.Any(x => Reference(x, labels, global)),
            _ => throw new ArgumentOutOfRangeException(nameof(s)),
        };
    }

    /// <summary>Kubernetes apimachinery's Requirement.Matches, term by term.</summary>
    private static bool KubernetesReference(LabelSelector selector, LabelSet labels) =>
        selector.MatchLabels.All(p => labels.TryGetValue(p.Key, out var v) && v == p.Value) &&
        selector.MatchExpressions.All(r => r.Operator switch
        {
            LabelSelectorOperator.In => labels.TryGetValue(r.Key, out var v) && r.Values.Contains(v),
            LabelSelectorOperator.NotIn => !labels.TryGetValue(r.Key, out var v) || !r.Values.Contains(v),
            LabelSelectorOperator.Exists => labels.ContainsKey(r.Key),
            LabelSelectorOperator.DoesNotExist => !labels.ContainsKey(r.Key),
            _ => throw new ArgumentOutOfRangeException(nameof(selector)),
        });
}
