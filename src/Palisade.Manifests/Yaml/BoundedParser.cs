using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Palisade.Manifests.Yaml;

/// <summary>
/// The YAML parser's events, checked against <see cref="ManifestLimits"/> as they pass, before anything is built from
/// them: nesting depth, nodes produced with aliases expanded (an alias counts as the whole node it names), document
/// length, aliases that name no earlier anchor or a node that contains them, and maps keyed by lists or maps. A
/// document over a limit stops with a <see cref="YamlLimitException"/> at the event that crossed it.
/// </summary>
internal sealed class BoundedParser : IParser, IDisposable
{
    private readonly Scanner scanner;
    private readonly Parser parser;
    private readonly SizeBoundedReader reader;
    private readonly ManifestLimits limits;
    private readonly Stack<Frame> open = new();
    private readonly Dictionary<string, Anchor> anchors = new(StringComparer.Ordinal);
    private long documentStart;
    private long produced;
    private int documentsEnded;

    public BoundedParser(TextReader text, ManifestLimits limits)
    {
        this.limits = limits;
        reader = new SizeBoundedReader(text, limits.MaxDocumentCharacters);
        scanner = new Scanner(reader);
        parser = new Parser(scanner);
    }

    public ParsingEvent? Current => parser.Current;

    /// <summary>1-based number of the document being read (the next one once a document has ended).</summary>
    public int Document => documentsEnded + 1;

    public void Dispose() => reader.Dispose();

    public bool MoveNext()
    {
        bool more;
        try
        {
            more = parser.MoveNext();
        }
        catch (YamlLimitException e) when (e.At is null)
        {
            throw new YamlLimitException(e.Message, scanner.CurrentPosition);
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner throws this bare exception where it meets a plain scalar in a flow collection on a
            // line indented less than the block the collection is in, which an unclosed '[' or '{' leads to.
            var at = scanner.CurrentPosition;
            throw new YamlException(at, at, open.Any(f => f.Flow)
                ? "a '[' or '{' is not closed, or a line inside it is indented less than the block it is in"
                : "the text cannot be read as YAML here");
        }

        if (more)
        {
            Check(parser.Current!);
        }

        return more;
    }

    private void Check(ParsingEvent e)
    {
        switch (e)
        {
            case DocumentStart:
                documentStart = e.Start.Index;
                reader.DocumentStart = documentStart;
                produced = 0;
                anchors.Clear();
                open.Clear();
                return;
            case DocumentEnd:
                documentsEnded++;
                return;
            case Scalar scalar:
                Child(e, isCollection: false);
                Produce(1, e);
                if (!scalar.Anchor.IsEmpty)
                {
                    anchors[scalar.Anchor.Value] = new Anchor(1, Collection: false, Open: false);
                }

                break;
            case AnchorAlias alias:
                if (!anchors.TryGetValue(alias.Value.Value, out var anchor))
                {
                    throw Refuse($"alias *{Excerpt.Of(alias.Value.Value)} names no anchor defined before it in this document", e);
                }

                if (anchor.Open)
                {
                    throw Refuse($"alias *{Excerpt.Of(alias.Value.Value)} is inside the node it names (a cycle)", e);
                }

                Child(e, anchor.Collection);
                Produce(anchor.Size, e);
                break;
            case NodeEvent start when e is SequenceStart or MappingStart:
                Child(e, isCollection: true);
                if (open.Count >= limits.MaxDepth)
                {
                    throw Refuse(string.Create(CultureInfo.InvariantCulture, $"lists and maps are nested deeper than {limits.MaxDepth:N0} levels (the most Palisade reads)"), e);
                }

                Produce(1, e);
                var flow = e is SequenceStart { Style: SequenceStyle.Flow } or MappingStart { Style: MappingStyle.Flow };
                open.Push(new Frame(e is MappingStart, flow, start.Anchor.IsEmpty ? null : start.Anchor.Value));
                if (!start.Anchor.IsEmpty)
                {
                    anchors[start.Anchor.Value] = new Anchor(0, Collection: true, Open: true);
                }

                break;
            case SequenceEnd or MappingEnd:
                // YamlDotNet's parser can end a map after a key with no value (a ':' alone at the start of a line),
                // which its tree builder then fails on with an ArgumentException: refuse such a stream here as YAML.
                if (!open.TryPop(out var done) || (done.Mapping && done.Children % 2 == 1))
                {
                    throw new YamlException(e.Start, e.End, "a map entry is missing its key or its value");
                }

                if (done.Anchor is not null)
                {
                    anchors[done.Anchor] = new Anchor(done.Size, Collection: true, Open: false);
                }

                if (open.TryPeek(out var parent))
                {
                    parent.Size += done.Size;
                }

                break;
        }

        if (e.End.Index - documentStart > limits.MaxDocumentCharacters)
        {
            throw Refuse(string.Create(CultureInfo.InvariantCulture, $"the document is longer than {limits.MaxDocumentCharacters:N0} characters (the most Palisade reads in one document)"), e);
        }
    }

    /// <summary>Counts a node as a child of the innermost open collection; a map's even children are its keys.</summary>
    private void Child(ParsingEvent e, bool isCollection)
    {
        if (!open.TryPeek(out var parent))
        {
            return;
        }

        if (parent.Mapping && parent.Children % 2 == 0 && isCollection)
        {
            // Kubernetes reads YAML as JSON, whose keys are strings; the YAML library would hash the whole key.
            throw Refuse("a map key must be a string, not a list or a map", e);
        }

        parent.Children++;
    }

    private void Produce(long nodes, ParsingEvent e)
    {
        produced += nodes;

        // A list or map counts itself in its own frame (which starts at 1) and hands its size on when it ends.
        if (e is not (SequenceStart or MappingStart) && open.TryPeek(out var parent))
        {
            parent.Size += nodes;
        }

        var characters = Math.Max(0, e.End.Index - documentStart);
        var allowed = limits.AliasNodeAllowance + (limits.AliasNodesPerCharacter * characters);
        if (produced > allowed)
        {
            throw Refuse(string.Create(CultureInfo.InvariantCulture, $"aliases expand the document to more than {allowed:N0} nodes, the most Palisade reads from its first {characters:N0} characters ({limits.AliasNodeAllowance:N0} plus {limits.AliasNodesPerCharacter} per character); write the repeated parts out or alias less"), e);
        }
    }

    private static YamlLimitException Refuse(string message, ParsingEvent at) => new(message, at.Start);

    /// <summary>An open list or map: its kind, its children so far, and the nodes it has produced (itself included).</summary>
    private sealed class Frame(bool mapping, bool flow, string? anchor)
    {
        public bool Mapping { get; } = mapping;

        public bool Flow { get; } = flow;

        public string? Anchor { get; } = anchor;

        public int Children { get; set; }

        public long Size { get; set; } = 1;
    }

    private readonly record struct Anchor(long Size, bool Collection, bool Open);
}
