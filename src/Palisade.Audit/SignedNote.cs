using System.Text;

namespace Palisade.Audit;

/// <summary>
/// The C2SP signed-note format: UTF-8 text ending in a newline, a blank line, then one line per signature —
/// <c>— NAME BASE64(KEYID || SIGNATURE)</c> (an em dash, U+2014) — each over the text including its last newline.
/// What checkpoints are wrapped in.
/// </summary>
public static class SignedNote
{
    private const string Dash = "\u2014 ";

    /// <summary>Signs <paramref name="text"/> (which must end in a newline and hold no blank line's worth of ambiguity) with each key.</summary>
    public static string Sign(string text, params NoteKey[] keys)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(keys);
        CheckText(text);
        var note = new StringBuilder(text).Append('\n');
        var bytes = Encoding.UTF8.GetBytes(text);
        foreach (var key in keys)
        {
            note.Append(Dash).Append(key.Name).Append(' ').Append(Convert.ToBase64String([.. key.KeyId, .. key.Sign(bytes)])).Append('\n');
        }

        return note.ToString();
    }

    /// <summary>
    /// Opens a note: its text, once at least one signature by a known key verifies. Signatures by unknown keys are
    /// ignored (as the format asks); a signature by a known key that does not verify fails the note.
    /// </summary>
    /// <returns>The text and the names of the keys whose signatures verified.</returns>
    /// <exception cref="FormatException">The note is malformed, unsigned by any known key, or a known key's signature is wrong (the message says which).</exception>
    public static (string Text, IReadOnlyList<string> SignedBy) Open(string note, IEnumerable<NoteKey> known)
    {
        ArgumentNullException.ThrowIfNull(note);
        ArgumentNullException.ThrowIfNull(known);
        var split = note.LastIndexOf("\n\n", StringComparison.Ordinal);
        if (split < 0 || !note.EndsWith('\n'))
        {
            throw new FormatException("not a signed note: no blank line before the signatures, or no final newline");
        }

        var text = note[..(split + 1)];
        var bytes = Encoding.UTF8.GetBytes(text);
        var keys = known.ToList();
        var signedBy = new List<string>();
        foreach (var line in note[(split + 2)..^1].Split('\n'))
        {
            if (!line.StartsWith(Dash, StringComparison.Ordinal))
            {
                throw new FormatException($"not a signature line: \"{(line.Length > 80 ? line[..80] + "..." : line)}\"");
            }

            var space = line.LastIndexOf(' ');
            var name = line[Dash.Length..space];
            byte[] blob;
            try
            {
                blob = Convert.FromBase64String(line[(space + 1)..]);
            }
            catch (FormatException)
            {
                throw new FormatException($"the signature by {name} is not base64");
            }

            if (blob.Length < 5)
            {
                throw new FormatException($"the signature by {name} is too short");
            }

            var key = keys.FirstOrDefault(k => k.Name == name && blob.AsSpan(0, 4).SequenceEqual(k.KeyId));
            if (key is null)
            {
                continue;
            }

            if (!key.Verify(bytes, blob.AsSpan(4)))
            {
                throw new FormatException($"the signature by {name} ({Convert.ToHexStringLower(key.KeyId)}) does not verify: the text was changed or the signature is not this key's");
            }

            signedBy.Add(name);
        }

        if (signedBy.Count == 0)
        {
            throw new FormatException($"the note is signed by none of the known keys ({string.Join(", ", keys.Select(k => k.Name))})");
        }

        return (text, signedBy);
    }

    private static void CheckText(string text)
    {
        if (!text.EndsWith('\n') || text.Contains("\n\n", StringComparison.Ordinal) || text.StartsWith('\n'))
        {
            throw new ArgumentException("a note's text ends in a newline and has no blank lines", nameof(text));
        }
    }
}
