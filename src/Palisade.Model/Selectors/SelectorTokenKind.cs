namespace Palisade.Model.Selectors;

/// <summary>The kinds of token in a Calico selector expression.</summary>
internal enum SelectorTokenKind
{
    End,
    Label,
    String,
    LParen,
    RParen,
    LBrace,
    RBrace,
    Comma,
    Eq,
    Ne,
    Not,
    And,
    Or,
    In,
    NotIn,
    Contains,
    StartsWith,
    EndsWith,
    Has,
    All,
    Global,

    /// <summary>A character that starts no token; the parser reports it with what it expected instead.</summary>
    Invalid,
}
