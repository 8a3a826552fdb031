using System.Globalization;
using System.Text;

namespace Palisade.Audit;

/// <summary>
/// A signed tree head in the C2SP tlog-checkpoint format: the log's origin line, the tree size in decimal, the root hash
/// in base64, then optional extension lines; signed as a note (the format Go's checksum database and Sigstore publish).
/// </summary>
public sealed record Checkpoint(string Origin, long Size, byte[] Root, IReadOnlyList<string> Extensions)
{
    public Checkpoint(string origin, long size, byte[] root)
        : this(origin, size, root, [])
    {
    }

    /// <summary>The note body: origin, size, root, extensions, each on its own line.</summary>
    public string Text()
    {
        var text = new StringBuilder().Append(Origin).Append('\n')
            .Append(Size.ToString(CultureInfo.InvariantCulture)).Append('\n')
            .Append(Convert.ToBase64String(Root)).Append('\n');
        foreach (var e in Extensions)
        {
            text.Append(e).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>The checkpoint signed by <paramref name="keys"/> as a note.</summary>
    public string Sign(params NoteKey[] keys) => SignedNote.Sign(Text(), keys);

    /// <summary>Opens a signed checkpoint with the keys trusted to sign it, and reads it.</summary>
    /// <exception cref="FormatException">The note does not verify or is not a checkpoint.</exception>
    public static Checkpoint Open(string note, IEnumerable<NoteKey> known) => Parse(SignedNote.Open(note, known).Text);

    /// <summary>Reads a checkpoint's text (unsigned).</summary>
    public static Checkpoint Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = text.TrimEnd('\n').Split('\n');
        if (lines.Length < 3 || lines[0].Length == 0)
        {
            throw new FormatException("a checkpoint has an origin line, a size line and a root hash line");
        }

        if (!long.TryParse(lines[1], NumberStyles.None, CultureInfo.InvariantCulture, out var size) || (lines[1].Length > 1 && lines[1][0] == '0'))
        {
            throw new FormatException($"the checkpoint's size \"{lines[1]}\" is not a decimal number without leading zeros");
        }

        byte[] root;
        try
        {
            root = Convert.FromBase64String(lines[2]);
        }
        catch (FormatException)
        {
            throw new FormatException("the checkpoint's root hash is not base64");
        }

        if (root.Length != 32)
        {
            throw new FormatException($"the checkpoint's root hash is {root.Length} bytes, expected 32 (SHA-256)");
        }

        return new Checkpoint(lines[0], size, root, lines[3..]);
    }
}
