using System.Collections.Immutable;

namespace Palisade.Model.Selectors;

/// <summary>Recursive-descent parser for Calico selector expressions.</summary>
/// <remarks>
/// Grammar (precedence low to high), as Calico's parser implements it:
/// <code>
/// selector  := ε | or
/// or        := and ('||' and)*
/// and       := operation ('&amp;&amp;' operation)*
/// operation := '!'* ( has(k) | all() | global() | '(' or ')' | k op 'v' | k (in|not in) set )
/// set       := '{' ( 'v' (',' 'v')* ','? )? '}'
/// </code>
/// A run of <c>!</c> folds to one negation or none, chains of <c>&amp;&amp;</c>/<c>||</c> become one n-ary node,
/// and parentheses leave no node behind.
/// </remarks>
internal sealed class SelectorParser(string text)
{
    private readonly SelectorLexer lexer = new(text);

    public Selector ParseRoot()
    {
        if (lexer.Peek().Kind == SelectorTokenKind.End)
        {
            return Selector.All;
        }

        var result = ParseOr();
        var next = lexer.Peek();
        if (next.Kind != SelectorTokenKind.End)
        {
            throw Unexpected(next, "'&&', '||' or end of selector");
        }

        return result;
    }

    private Selector ParseOr()
    {
        var first = ParseAnd();
        if (lexer.Peek().Kind != SelectorTokenKind.Or)
        {
            return first;
        }

        var operands = ImmutableArray.CreateBuilder<Selector>();
        operands.Add(first);
        while (lexer.Peek().Kind == SelectorTokenKind.Or)
        {
            lexer.Next();
            operands.Add(ParseAnd());
        }

        return new OrSelector(operands.DrainToImmutable());
    }

    private Selector ParseAnd()
    {
        var first = ParseOperation();
        if (lexer.Peek().Kind != SelectorTokenKind.And)
        {
            return first;
        }

        var operands = ImmutableArray.CreateBuilder<Selector>();
        operands.Add(first);
        while (lexer.Peek().Kind == SelectorTokenKind.And)
        {
            lexer.Next();
            operands.Add(ParseOperation());
        }

        return new AndSelector(operands.DrainToImmutable());
    }

    private Selector ParseOperation()
    {
        var negated = false;
        while (lexer.Peek().Kind == SelectorTokenKind.Not)
        {
            lexer.Next();
            negated = !negated;
        }

        var token = lexer.Next();
        Selector result;
        switch (token.Kind)
        {
            case SelectorTokenKind.Has:
                result = new HasSelector(token.Text);
                break;
            case SelectorTokenKind.All:
                result = Selector.All;
                break;
            case SelectorTokenKind.Global:
                result = Selector.Global;
                break;
            case SelectorTokenKind.Label:
                result = ParseComparison(token);
                break;
            case SelectorTokenKind.LParen:
                result = ParseOr();
                var close = lexer.Next();
                if (close.Kind != SelectorTokenKind.RParen)
                {
                    throw Unexpected(close, $"'&&', '||' or ')' to close the '(' at position {token.Position}");
                }

                break;
            default:
                throw Unexpected(token, "a label key, has(key), all(), global(), '!' or '('");
        }

        return negated ? new NotSelector(result) : result;
    }

    private Selector ParseComparison(SelectorToken label)
    {
        var op = lexer.Next();
        switch (op.Kind)
        {
            case SelectorTokenKind.Eq:
                return new EqualSelector(label.Text, ExpectString(op));
            case SelectorTokenKind.Ne:
                return new NotEqualSelector(label.Text, ExpectString(op));
            case SelectorTokenKind.Contains:
                return new ContainsSelector(label.Text, ExpectString(op));
            case SelectorTokenKind.StartsWith:
                return new StartsWithSelector(label.Text, ExpectString(op));
            case SelectorTokenKind.EndsWith:
                return new EndsWithSelector(label.Text, ExpectString(op));
            case SelectorTokenKind.In:
                return new InSelector(label.Text, ParseSet(op));
            case SelectorTokenKind.NotIn:
                return new NotInSelector(label.Text, ParseSet(op));
            default:
                throw lexer.ExpectedOperator(op.Position);
        }
    }

    private string ExpectString(SelectorToken op)
    {
        var value = lexer.Next();
        return value.Kind == SelectorTokenKind.String
            ? value.Text
            : throw Unexpected(value, $"a quoted string after '{op.Text}'");
    }

    private ImmutableArray<string> ParseSet(SelectorToken op)
    {
        var open = lexer.Next();
        if (open.Kind != SelectorTokenKind.LBrace)
        {
            throw Unexpected(open, $"'{{' to start the set of values after '{op.Text}'");
        }

        var values = ImmutableArray.CreateBuilder<string>();
        while (true)
        {
            var item = lexer.Next();
            if (item.Kind == SelectorTokenKind.RBrace)
            {
                // Also reached after a trailing comma, which Calico accepts: {'a', 'b',}.
                break;
            }

            if (item.Kind != SelectorTokenKind.String)
            {
                throw Unexpected(item, values.Count == 0 ? "a quoted string or '}'" : "a quoted string or '}' after ','");
            }

            values.Add(item.Text);
            var separator = lexer.Next();
            if (separator.Kind == SelectorTokenKind.RBrace)
            {
                break;
            }

            if (separator.Kind != SelectorTokenKind.Comma)
            {
                throw Unexpected(separator, "',' or '}' after a value in the set");
            }
        }

        return values.DrainToImmutable();
    }

    private SelectorParseException Unexpected(SelectorToken found, string expected) =>
        lexer.Error(
            found.Position,
            found.Kind == SelectorTokenKind.End ? $"expected {expected}" : $"expected {expected}, found {found.Describe()}");
}
