namespace Palisade.Model.Selectors;

/// <summary>One token: its kind, its text (label key, string value or the offending character) and where it starts.</summary>
internal readonly record struct SelectorToken(SelectorTokenKind Kind, string Text, int Position)
{
    /// <summary>How an error message names this token when it is not what was expected.</summary>
    public string Describe() => Kind switch
    {
        SelectorTokenKind.End => "end of selector",
        SelectorTokenKind.Label => $"label '{Text}'",
        SelectorTokenKind.String => "a quoted string",
        SelectorTokenKind.LParen => "'('",
        SelectorTokenKind.RParen => "')'",
        SelectorTokenKind.LBrace => "'{'",
        SelectorTokenKind.RBrace => "'}'",
        SelectorTokenKind.Comma => "','",
        SelectorTokenKind.Eq => "'=='",
        SelectorTokenKind.Ne => "'!='",
        SelectorTokenKind.Not => "'!'",
        SelectorTokenKind.And => "'&&'",
        SelectorTokenKind.Or => "'||'",
        SelectorTokenKind.In => "'in'",
        SelectorTokenKind.NotIn => "'not in'",
        SelectorTokenKind.Contains => "'contains'",
        SelectorTokenKind.StartsWith => "'starts with'",
        SelectorTokenKind.EndsWith => "'ends with'",
        SelectorTokenKind.Has => $"has({Text})",
        SelectorTokenKind.All => "all()",
        SelectorTokenKind.Global => "global()",
        _ => DescribeChar(Text[0]),
    };

    private static string DescribeChar(char c) => c switch
    {
        '\n' or '\r' => "a line break (only spaces and tabs may separate tokens)",
        _ when char.IsWhiteSpace(c) => $"whitespace U+{(int)c:X4} (only spaces and tabs may separate tokens)",
        _ when char.IsControl(c) || char.IsSurrogate(c) => $"character U+{(int)c:X4}",
        _ => $"'{c}'",
    };
}
