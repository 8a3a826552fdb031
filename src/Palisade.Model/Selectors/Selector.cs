using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Palisade.Model.Selectors;

/// <summary>A label selector in its one compiled form: an immutable AST that matches label sets.</summary>
/// <remarks>
/// Calico selector expressions (<see cref="Parse"/>) and Kubernetes LabelSelectors
/// (<see cref="LabelSelector.ToSelector"/>) both compile to this form. Nodes compare structurally, and
/// <see cref="ToString"/> prints a canonical expression that parses back to an equal node. The hierarchy is closed:
/// only the node records in this namespace derive from it.
/// </remarks>
public abstract record Selector
{
    private protected Selector()
    {
    }

    /// <summary>Matches every label set: <c>all()</c>, also what an empty selector means.</summary>
    public static Selector All => AllSelector.Instance;

    /// <summary>Matches non-namespaced resources only: <c>global()</c>.</summary>
    public static Selector Global => GlobalSelector.Instance;

    /// <summary>Whether the labels satisfy this selector.</summary>
    /// <param name="labels">The labels of the resource being matched.</param>
    /// <param name="global">Whether the resource is non-namespaced; the value <c>global()</c> takes.</param>
    /// <remarks>Allocation-free: this runs once per (selector, label set) pair in the engine's indexes.</remarks>
    public abstract bool Matches(LabelSet labels, bool global = false);

    /// <summary>Parses a Calico selector expression; empty or blank text is <c>all()</c>.</summary>
    /// <exception cref="SelectorParseException">The text is not a valid selector.</exception>
    public static Selector Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new SelectorParser(text).ParseRoot();
    }

    /// <summary>Parses a Calico selector expression, reporting failure as a value.</summary>
    public static bool TryParse(
        string text,
        [NotNullWhen(true)] out Selector? selector,
        [NotNullWhen(false)] out SelectorParseException? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        try
        {
            selector = new SelectorParser(text).ParseRoot();
            error = null;
            return true;
        }
        catch (SelectorParseException e)
        {
            selector = null;
            error = e;
            return false;
        }
    }

    /// <summary><c>has(key)</c>.</summary>
    public static Selector Has(string key) => new HasSelector(key);

    /// <summary><c>key == 'value'</c>.</summary>
    public static Selector Equal(string key, string value) => new EqualSelector(key, value);

    /// <summary><c>key != 'value'</c>; also matches when the key is absent.</summary>
    public static Selector NotEqual(string key, string value) => new NotEqualSelector(key, value);

    /// <summary><c>key in {'v1', 'v2'}</c>.</summary>
    public static Selector In(string key, params IEnumerable<string> values) =>
        new InSelector(key, [.. values]);

    /// <summary><c>key not in {'v1', 'v2'}</c>; also matches when the key is absent.</summary>
    public static Selector NotIn(string key, params IEnumerable<string> values) =>
        new NotInSelector(key, [.. values]);

    /// <summary><c>key contains 's'</c>.</summary>
    public static Selector Contains(string key, string substring) => new ContainsSelector(key, substring);

    /// <summary><c>key starts with 's'</c>.</summary>
    public static Selector StartsWith(string key, string prefix) => new StartsWithSelector(key, prefix);

    /// <summary><c>key ends with 's'</c>.</summary>
    public static Selector EndsWith(string key, string suffix) => new EndsWithSelector(key, suffix);

    /// <summary><c>!operand</c>.</summary>
    public static Selector Not(Selector operand) => new NotSelector(operand);

    /// <summary>
    /// <c>a &amp;&amp; b &amp;&amp; ...</c>; a single operand is returned as is, and no operands means <c>all()</c>.
    /// </summary>
    public static Selector And(params IEnumerable<Selector> operands)
    {
        ImmutableArray<Selector> list = [.. operands];
        return list.Length switch
        {
            0 => All,
            1 => list[0],
            _ => new AndSelector(list),
        };
    }

    /// <summary><c>a || b || ...</c>; a single operand is returned as is, and no operands means <c>!all()</c>.</summary>
    public static Selector Or(params IEnumerable<Selector> operands)
    {
        ImmutableArray<Selector> list = [.. operands];
        return list.Length switch
        {
            0 => Not(All),
            1 => list[0],
            _ => new OrSelector(list),
        };
    }

    /// <summary>The canonical expression: re-parsing it gives an equal selector.</summary>
    /// <remarks>
    /// Parentheses appear only where the tree needs them: around an <c>||</c> inside <c>&amp;&amp;</c> or
    /// <c>!</c>, and around a nested <c>&amp;&amp;</c> or <c>||</c> of the same kind (the parser builds flat
    /// lists, so a nested one would otherwise re-parse flat). Values are single-quoted unless they contain a
    /// single quote.
    /// </remarks>
    public sealed override string ToString()
    {
        var sb = new StringBuilder();
        Write(sb);
        return sb.ToString();
    }

    internal abstract void Write(StringBuilder sb);

    /// <summary>Writes an operand of <c>!</c>, <c>&amp;&amp;</c> or <c>||</c>, parenthesized when it must be.</summary>
    internal static void WriteOperand(StringBuilder sb, Selector operand, bool parenthesize)
    {
        if (parenthesize)
        {
            sb.Append('(');
            operand.Write(sb);
            sb.Append(')');
        }
        else
        {
            operand.Write(sb);
        }
    }
}
