using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Palisade.Store;

/// <summary>A list's continue token: the revision the list reads at and the last key it returned, opaque to clients.</summary>
internal readonly record struct ContinueToken(long Revision, string LastKey)
{
    public string Encode() =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes(Revision.ToString(CultureInfo.InvariantCulture) + "\n" + LastKey));

    /// <summary>Reads a token made by a list of <paramref name="prefix"/>; anything else is an InvalidContinueException.</summary>
    public static ContinueToken Decode(string token, string prefix)
    {
        string text;
        try
        {
            text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token));
        }
        catch (FormatException)
        {
            throw new InvalidContinueException($"the continue token '{token}' is not one a list returned");
        }

        var newline = text.IndexOf('\n', StringComparison.Ordinal);
        if (newline <= 0
            || !long.TryParse(text.AsSpan(0, newline), NumberStyles.None, CultureInfo.InvariantCulture, out var revision)
            || revision < 1)
        {
            throw new InvalidContinueException($"the continue token '{token}' is not one a list returned");
        }

        var lastKey = text[(newline + 1)..];
        if (!lastKey.StartsWith(prefix, StringComparison.Ordinal))
        {
            throw new InvalidContinueException($"the continue token was made by a list of another prefix than '{prefix}'");
        }

        return new ContinueToken(revision, lastKey);
    }
}
