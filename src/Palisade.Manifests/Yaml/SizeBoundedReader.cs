using System.Globalization;

namespace Palisade.Manifests.Yaml;

/// <summary>
/// Hands text to the YAML scanner and refuses to hand more than a document's size bound past the current document's
/// start: the scanner gathers a whole scalar before the parser sees it, so a bound checked on parsing events alone would
/// come only after a huge scalar was already in memory.
/// </summary>
internal sealed class SizeBoundedReader(TextReader inner, long maxDocumentCharacters) : TextReader
{
    // The scanner reads ahead of the events by its look-ahead buffer (1,024 characters) and a simple key (1,024 more):
    // the exact bound is checked on the events, this one only stops a runaway read.
    private const long ReadAhead = 64 * 1024;

    /// <summary>Characters handed out so far.</summary>
    public long Position { get; private set; }

    /// <summary>Where the document being read starts (set by the parser when it meets the document).</summary>
    public long DocumentStart { get; set; }

    public override int Peek() => inner.Peek();

    public override int Read()
    {
        var c = inner.Read();
        if (c >= 0)
        {
            Advance(1);
        }

        return c;
    }

    public override int Read(char[] buffer, int index, int count) => Advance(inner.Read(buffer, index, count));

    public override int Read(Span<char> buffer) => Advance(inner.Read(buffer));

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private int Advance(int read)
    {
        Position += read;
        if (Position - DocumentStart > maxDocumentCharacters + ReadAhead)
        {
            throw new YamlLimitException(string.Create(CultureInfo.InvariantCulture, $"the document is longer than {maxDocumentCharacters:N0} characters (the most Palisade reads in one document)"));
        }

        return read;
    }
}
