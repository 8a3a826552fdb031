using System.Globalization;
using System.Text.RegularExpressions;

namespace Palisade.Manifests;

/// <summary>
/// Cuts a value quoted from the input to a readable length for messages: a 4 MB base64 blob given where a name was
/// expected must not become a 4 MB line of output.
/// </summary>
internal static partial class Excerpt
{
    /// <summary>Values up to this many characters are quoted whole.</summary>
    public const int MaxLength = 100;

    /// <summary>The value, or its first characters with an ellipsis and the full length: <c>aGVsbG8…(4,194,304 characters)</c>.</summary>
    public static string Of(string? value) => Of(value, MaxLength);

    /// <summary>As <see cref="Of(string?)"/>, for texts that may be longer (another library's message quoting input).</summary>
    public static string Of(string? value, int maxLength)
    {
        if (value is null || value.Length <= maxLength)
        {
            return value ?? string.Empty;
        }

        // Keep four fifths of the length, never cutting a surrogate pair in half.
        var kept = maxLength * 4 / 5;
        var keep = char.IsHighSurrogate(value[kept - 1]) ? kept - 1 : kept;
        return string.Create(CultureInfo.InvariantCulture, $"{value.AsSpan(0, keep)}…({value.Length:N0} characters)");
    }

    /// <summary>
    /// The message with every quoted value (<c>"..."</c>) longer than twice <see cref="MaxLength"/> cut: a net under
    /// every message that quotes input, whichever reader or library wrote it (values already cut are shorter).
    /// </summary>
    public static string CutQuoted(string message) =>
        message.Length <= 2 * MaxLength ? message : LongQuote().Replace(message, m => $"\"{Of(m.Groups[1].Value)}\"");

    [GeneratedRegex("\"([^\"]{201,})\"")]
    private static partial Regex LongQuote();
}
