namespace Palisade.Model.Selectors;

/// <summary>A selector expression that does not parse, with where and why.</summary>
public sealed class SelectorParseException : FormatException
{
    public SelectorParseException(string text, int position, string reason)
        : base($"invalid selector \"{text}\": at position {position}: {reason}")
    {
        Text = text;
        Position = position;
        Reason = reason;
    }

    /// <summary>The whole selector text that was being parsed.</summary>
    public string Text { get; }

    /// <summary>The 0-based character offset in <see cref="Text"/> where the problem was found.</summary>
    public int Position { get; }

    /// <summary>What was expected there, without the text and position.</summary>
    public string Reason { get; }
}
