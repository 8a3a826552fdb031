using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Palisade.Manifests.Yaml;

/// <summary>
/// Reads a YAML stream one document at a time within <see cref="ManifestLimits"/>, so that reading a file holds one
/// document's nodes at a time, not the whole file's. Throws <see cref="YamlException"/> on text that is not YAML and
/// <see cref="YamlLimitException"/> on a document over a limit.
/// </summary>
internal static class YamlDocuments
{
    /// <summary>Each document's number (1-based) and root node, read as the caller asks for it.</summary>
    public static IEnumerable<(int Number, YamlNode Root)> Read(BoundedParser events)
    {
        if (!events.MoveNext() || events.Current is not StreamStart)
        {
            yield break;
        }

        events.MoveNext();
        while (events.Current is DocumentStart)
        {
            var number = events.Document;
            var stream = new YamlStream();
            stream.Load(new OneDocument(events));
            yield return (number, stream.Documents[0].RootNode);
            events.MoveNext();
        }
    }

    /// <summary>The document the parser stands at, presented as a stream of its own (the YAML library loads streams).</summary>
    private sealed class OneDocument(IParser events) : IParser
    {
        private int step;

        public ParsingEvent? Current { get; private set; }

        public bool MoveNext()
        {
            switch (step)
            {
                case 0:
                    Current = new StreamStart();
                    step = 1;
                    return true;
                case 1:
                    // The document's own start, where the caller left the parser.
                    Current = events.Current;
                    step = 2;
                    return true;
                case 2 when Current is not DocumentEnd:
                    events.MoveNext();
                    Current = events.Current;
                    return true;
                case 2:
                    Current = new StreamEnd();
                    step = 3;
                    return true;
                default:
                    Current = null;
                    return false;
            }
        }
    }
}
