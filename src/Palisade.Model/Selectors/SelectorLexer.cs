namespace Palisade.Model.Selectors;

/// <summary>Splits a selector into tokens on demand, following the rules of Calico's tokenizer.</summary>
/// <remarks>
/// Calico's tokenizer is context-sensitive in one place: right after a label key, a word is read as an operator
/// (<c>in</c>, <c>not in</c>, <c>contains</c>, <c>starts with</c>, <c>ends with</c>), anywhere else as a label key.
/// That is why <c>in in {'x'}</c> is valid and keys named like keywords need no quoting. Tokens are produced one at
/// a time so that the first error in reading order is the one reported.
/// </remarks>
internal sealed class SelectorLexer(string text)
{
    private const string OperatorsAfterLabel = "==, !=, in, not in, contains, starts with or ends with";

    private int pos;
    private SelectorTokenKind last = SelectorTokenKind.End;
    private SelectorToken? peeked;

    public SelectorToken Peek() => peeked ??= Read();

    public SelectorToken Next()
    {
        var token = Peek();
        peeked = null;
        return token;
    }

    public SelectorParseException Error(int position, string reason) => new(text, position, reason);

    private SelectorToken Read()
    {
        var token = ReadToken();
        last = token.Kind;
        return token;
    }

    private SelectorToken ReadToken()
    {
        SkipSpaces();
        var start = pos;
        if (pos >= text.Length)
        {
            return new(SelectorTokenKind.End, string.Empty, start);
        }

        switch (text[pos])
        {
            case '(':
                return Single(SelectorTokenKind.LParen);
            case ')':
                return Single(SelectorTokenKind.RParen);
            case '{':
                return Single(SelectorTokenKind.LBrace);
            case '}':
                return Single(SelectorTokenKind.RBrace);
            case ',':
                return Single(SelectorTokenKind.Comma);
            case '\'' or '"':
                return ReadString();
            case '=':
                return Double('=', SelectorTokenKind.Eq, "expected '==' (a single '=' is not an operator)");
            case '&':
                return Double('&', SelectorTokenKind.And, "expected '&&' (a single '&' is not an operator)");
            case '|':
                return Double('|', SelectorTokenKind.Or, "expected '||' (a single '|' is not an operator)");
            case '!':
                if (At(pos + 1, '='))
                {
                    pos += 2;
                    return new(SelectorTokenKind.Ne, "!=", start);
                }

                return Single(SelectorTokenKind.Not);
        }

        if (last == SelectorTokenKind.Label)
        {
            return ReadOperator();
        }

        if (CutPrefix("has("))
        {
            SkipSpaces();
            var key = ReadKey("expected a label key after 'has('");
            SkipSpaces();
            if (!At(pos, ')'))
            {
                throw Error(pos, "expected ')' to close 'has('");
            }

            pos++;
            return new(SelectorTokenKind.Has, key, start);
        }

        if (CutPrefix("all("))
        {
            return CloseEmptyCall(SelectorTokenKind.All, "all", start);
        }

        if (CutPrefix("global("))
        {
            return CloseEmptyCall(SelectorTokenKind.Global, "global", start);
        }

        if (SelectorSyntax.IsKeyChar(text[pos]))
        {
            return new(SelectorTokenKind.Label, ReadKey("expected a label key"), start);
        }

        pos++;
        return new(SelectorTokenKind.Invalid, text[start].ToString(), start);
    }

    private SelectorToken ReadOperator()
    {
        var start = pos;
        if (CutWord("contains"))
        {
            return new(SelectorTokenKind.Contains, "contains", start);
        }

        // Calico accepts the two-word operators with any run of spaces between the words, or none:
        // "starts with", "starts  with" and "startswith" are the same operator.
        if (CutWords("starts", "with"))
        {
            return new(SelectorTokenKind.StartsWith, "starts with", start);
        }

        if (CutWords("ends", "with"))
        {
            return new(SelectorTokenKind.EndsWith, "ends with", start);
        }

        if (CutWords("not", "in"))
        {
            return new(SelectorTokenKind.NotIn, "not in", start);
        }

        if (CutWord("in"))
        {
            return new(SelectorTokenKind.In, "in", start);
        }

        throw ExpectedOperator(start);
    }

    /// <summary>The error for a label key followed by something that is not an operator.</summary>
    public SelectorParseException ExpectedOperator(int position)
    {
        // The key is the text just before the offending token, up to the preceding non-key character.
        var end = position;
        while (end > 0 && SelectorSyntax.IsSpace(text[end - 1]))
        {
            end--;
        }

        var begin = end;
        while (begin > 0 && SelectorSyntax.IsKeyChar(text[begin - 1]))
        {
            begin--;
        }

        return Error(position, $"expected an operator after label '{text[begin..end]}': {OperatorsAfterLabel}");
    }

    private SelectorToken ReadString()
    {
        var start = pos;
        var quote = text[pos];

        // No escapes: a literal runs to the next quote of the same kind, whatever lies between.
        var close = text.IndexOf(quote, pos + 1);
        if (close < 0)
        {
            throw Error(start, $"unterminated string: expected a closing {quote}");
        }

        pos = close + 1;
        return new(SelectorTokenKind.String, text[(start + 1)..close], start);
    }

    private string ReadKey(string expected)
    {
        var start = pos;
        while (pos < text.Length && SelectorSyntax.IsKeyChar(text[pos]))
        {
            pos++;
        }

        if (pos == start)
        {
            throw Error(start, pos < text.Length ? $"{expected}, found {Describe(text[pos])}" : expected);
        }

        if (pos - start > SelectorSyntax.MaxKeyLength)
        {
            throw Error(start, $"label key is longer than {SelectorSyntax.MaxKeyLength} characters");
        }

        return text[start..pos];
    }

    private SelectorToken CloseEmptyCall(SelectorTokenKind kind, string name, int start)
    {
        SkipSpaces();
        if (!At(pos, ')'))
        {
            throw Error(pos, $"expected ')' after '{name}('");
        }

        pos++;
        return new(kind, name, start);
    }

    private SelectorToken Single(SelectorTokenKind kind)
    {
        var start = pos++;
        return new(kind, text[start].ToString(), start);
    }

    private SelectorToken Double(char c, SelectorTokenKind kind, string error)
    {
        if (!At(pos + 1, c))
        {
            throw Error(pos, error);
        }

        pos += 2;
        return new(kind, new string(c, 2), pos - 2);
    }

    private bool At(int index, char c) => index < text.Length && text[index] == c;

    private void SkipSpaces()
    {
        while (pos < text.Length && SelectorSyntax.IsSpace(text[pos]))
        {
            pos++;
        }
    }

    private bool CutPrefix(string prefix)
    {
        if (string.CompareOrdinal(text, pos, prefix, 0, prefix.Length) != 0)
        {
            return false;
        }

        pos += prefix.Length;
        return true;
    }

    /// <summary>A keyword must end at a word boundary: "in" does not start "inside".</summary>
    private bool CutWord(string word)
    {
        var end = pos + word.Length;
        if (string.CompareOrdinal(text, pos, word, 0, word.Length) != 0 || !IsBoundary(end))
        {
            return false;
        }

        pos = end;
        return true;
    }

    private bool CutWords(string first, string second)
    {
        var at = pos;
        if (string.CompareOrdinal(text, at, first, 0, first.Length) != 0)
        {
            return false;
        }

        at += first.Length;
        while (at < text.Length && SelectorSyntax.IsSpace(text[at]))
        {
            at++;
        }

        if (string.CompareOrdinal(text, at, second, 0, second.Length) != 0)
        {
            return false;
        }

        at += second.Length;

        // Calico checks the boundary after skipping the spaces that follow; checking right after the word instead
        // accepts exactly the same selectors (only a string or '{' may follow the operator) and lets
        // "k starts with v" report the missing quotes rather than a missing operator.
        if (!IsBoundary(at))
        {
            return false;
        }

        pos = at;
        return true;
    }

    private bool IsBoundary(int index) => index >= text.Length || !SelectorSyntax.IsKeyChar(text[index]);

    private static string Describe(char c) => new SelectorToken(SelectorTokenKind.Invalid, c.ToString(), 0).Describe();
}
