// TEMPORARY stand-in until the selector branch is merged; replaced wholesale by it.
using System.Collections.Immutable;
namespace Palisade.Model.Selectors;

public abstract record Selector
{
    public static Selector All { get; } = new AllStub();
    public abstract bool Matches(LabelSet labels, bool global = false);
    public static Selector Parse(string text) => string.IsNullOrWhiteSpace(text) ? All : throw new SelectorParseException(text, 0, "not yet");
    public static bool TryParse(string text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Selector? selector, out SelectorParseException? error) { try { selector = Parse(text); error = null; return true; } catch (SelectorParseException e) { selector = null; error = e; return false; } }
    public static Selector Equal(string key, string value) => new EqStub(key, value);
    public static Selector And(Selector a, Selector b) => new AndStub(a, b);
    private sealed record AllStub : Selector { public override bool Matches(LabelSet labels, bool global = false) => true; public override string ToString() => "all()"; }
    private sealed record EqStub(string K, string V) : Selector { public override bool Matches(LabelSet labels, bool global = false) => labels.TryGetValue(K, out var v) && v == V; public override string ToString() => $"{K} == '{V}'"; }
    private sealed record AndStub(Selector A, Selector B) : Selector { public override bool Matches(LabelSet labels, bool global = false) => A.Matches(labels) && B.Matches(labels); public override string ToString() => $"{A} && {B}"; }
    internal sealed record InStub(string K, ImmutableArray<string> V, bool Not) : Selector { public override bool Matches(LabelSet labels, bool global = false) => labels.TryGetValue(K, out var v) ? V.Contains(v) != Not : Not; }
    internal sealed record HasStub(string K, bool Not) : Selector { public override bool Matches(LabelSet labels, bool global = false) => labels.ContainsKey(K) != Not; }
}

public class SelectorParseException(string text, int position, string reason) : FormatException($"invalid selector \"{text}\": at position {position}: {reason}")
{
    public string Text { get; } = text;
    public int Position { get; } = position;
    public string Reason { get; } = reason;
}

public enum LabelSelectorOperator { In, NotIn, Exists, DoesNotExist }

public sealed record LabelSelectorRequirement(string Key, LabelSelectorOperator Operator, ImmutableArray<string> Values);

public sealed record LabelSelector(ImmutableSortedDictionary<string, string> MatchLabels, ImmutableArray<LabelSelectorRequirement> MatchExpressions)
{
    public Selector ToSelector()
    {
        var s = Selector.All;
        var first = true;
        foreach (var (k, v) in MatchLabels) { s = first ? Selector.Equal(k, v) : Selector.And(s, Selector.Equal(k, v)); first = false; }
        foreach (var r in MatchExpressions)
        {
            Selector e = r.Operator switch
            {
                LabelSelectorOperator.In => new Selector.InStub(r.Key, r.Values, false),
                LabelSelectorOperator.NotIn => new Selector.InStub(r.Key, r.Values, true),
                LabelSelectorOperator.Exists => new Selector.HasStub(r.Key, false),
                _ => new Selector.HasStub(r.Key, true),
            };
            s = first ? e : Selector.And(s, e); first = false;
        }
        return s;
    }
}
