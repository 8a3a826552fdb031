using Palisade.Manifests.Calico;
using Palisade.Manifests.Kubernetes;
using Palisade.Manifests.NetworkPolicyApi;
using Palisade.Manifests.Yaml;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Palisade.Manifests;

/// <summary>
/// Loads manifests from files and directories (YAML, multi-document YAML, JSON, <c>kind: List</c>) into the cluster
/// inventory and the one policy model. All problems are reported together; on any error nothing is returned to analyse.
/// </summary>
public sealed class ManifestLoader
{
    private readonly IReadOnlyList<IObjectReader> readers;
    private readonly ManifestLimits limits;

    /// <param name="limits">What reading one document may cost; <see cref="ManifestLimits.Default"/> when null.</param>
    /// <param name="hostNetworkPods">How pods on the host's network are read (a cache is only valid for one reading).</param>
    public ManifestLoader(ManifestLimits? limits = null, HostNetworkPods hostNetworkPods = HostNetworkPods.Unisolated)
    {
        this.limits = limits ?? ManifestLimits.Default;
        readers =
        [
            new NamespaceReader(),
            new ServiceAccountReader(),
            new WorkloadReader(hostNetworkPods),
            new NetworkPolicyReader(),
            new NodeReader(),
            new AdminNetworkPolicyReader(),
            new ClusterNetworkPolicyReader(),
            new CalicoTierReader(),
            new CalicoPolicyReader(),
            new CalicoNetworkSetReader(),
        ];
    }

    /// <summary>Loads every path: a file, or a directory searched recursively for *.yaml, *.yml and *.json.</summary>
    /// <param name="paths">Files and directories.</param>
    /// <param name="cache">Unchanged files are replayed from here instead of read again (for the agent's reloads).</param>
    public LoadResult Load(IEnumerable<string> paths, ParseCache? cache = null)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var diagnostics = new DiagnosticBag();
        var builder = new InventoryBuilder(diagnostics);
        var files = new List<(string File, bool Found)>();
        var seenFiles = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in paths)
        {
            var found = Directory.Exists(path);
            foreach (var file in Expand(path, diagnostics))
            {
                if (seenFiles.Add(Path.GetFullPath(file)))
                {
                    files.Add((file, found));
                }
            }
        }

        var hits = 0;
        foreach (var (file, found) in files)
        {
            FileInfo? info = null;
            if (cache is not null)
            {
                info = new FileInfo(file);
                if (info.Exists && cache.Find(info.FullName, info.Length, info.LastWriteTimeUtc) is { } known)
                {
                    builder.Replay(known);
                    hits++;
                    continue;
                }
            }

            if (cache is null || info is null)
            {
                ReadFile(file, diagnostics, builder, foundInDirectory: found);
                continue;
            }

            // Record what the file contributes; keep it when the file read cleanly.
            var contribution = new FileContribution(info.Length, info.LastWriteTimeUtc);
            var before = diagnostics.Items.Count;
            var objectsBefore = builder.ObjectCount;
            var skippedBefore = builder.Skipped.Count;
            builder.BeginRecording(contribution);
            ReadFile(file, diagnostics, builder, foundInDirectory: found);
            builder.EndRecording();
            var added = diagnostics.Items.Skip(before).ToList();
            if (added.Any(d => d.Severity == DiagnosticSeverity.Error))
            {
                cache.Forget(info.FullName);
                continue;
            }

            contribution.Diagnostics.AddRange(added);
            contribution.ObjectCount = builder.ObjectCount - objectsBefore;
            contribution.Skipped.AddRange(builder.Skipped.Skip(skippedBefore));
            cache.Store(info.FullName, contribution);
        }

        if (cache is not null)
        {
            cache.LastHits = hits;
        }

        return builder.Build();
    }

    /// <summary>Loads manifests given as text; <paramref name="fileName"/> names them in messages.</summary>
    public LoadResult LoadText(string text, string fileName = "<input>") => LoadTexts([(fileName, text)]);

    /// <summary>
    /// Loads several texts as one input, each named in messages by its source (a file name, or the URL of the API
    /// request that returned it); the same as <see cref="Load"/> over files holding them.
    /// </summary>
    public LoadResult LoadTexts(IEnumerable<(string Source, string Text)> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var diagnostics = new DiagnosticBag();
        var builder = new InventoryBuilder(diagnostics);
        foreach (var (source, text) in texts)
        {
            using var reader = new StringReader(text);
            ReadText(reader, source, diagnostics, builder);
        }

        return builder.Build();
    }

    /// <summary>
    /// Loads a change over a base (a live server's objects): every object in <paramref name="overlayPaths"/> replaces
    /// the base's object of the same identity, as applying the change to the server would; the rest of the base stays.
    /// </summary>
    public LoadResult LoadOverlay(IEnumerable<(string Source, string Text)> baseTexts, IEnumerable<string> overlayPaths)
    {
        ArgumentNullException.ThrowIfNull(baseTexts);
        ArgumentNullException.ThrowIfNull(overlayPaths);
        var diagnostics = new DiagnosticBag();
        var builder = new InventoryBuilder(diagnostics);
        var seenFiles = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in overlayPaths)
        {
            var found = Directory.Exists(path);
            foreach (var file in Expand(path, diagnostics).Where(f => seenFiles.Add(Path.GetFullPath(f))))
            {
                ReadFile(file, diagnostics, builder, foundInDirectory: found);
            }
        }

        builder.YieldToEarlier = true;
        foreach (var (source, text) in baseTexts)
        {
            using var reader = new StringReader(text);
            ReadText(reader, source, diagnostics, builder);
        }

        return builder.Build();
    }

    /// <summary>Whether objects of this apiVersion and kind are read (others are skipped and listed as such).</summary>
    public bool Reads(string apiVersion, string kind) => readers.Any(r => r.Handles(apiVersion, kind));

    private void ReadFile(string file, DiagnosticBag diagnostics, InventoryBuilder builder, bool foundInDirectory)
    {
        try
        {
            // Read as it is parsed, one document at a time: the file is never held whole.
            using var reader = new StreamReader(file, detectEncodingFromByteOrderMarks: true);
            ReadText(reader, file, diagnostics, builder, foundInDirectory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            diagnostics.Add(new ManifestDiagnostic(DiagnosticSeverity.Error, $"cannot read the file: {e.Message}") { File = file });
        }
    }

    private static List<string> Expand(string path, DiagnosticBag diagnostics)
    {
        if (File.Exists(path))
        {
            return [path];
        }

        if (Directory.Exists(path))
        {
            var found = ManifestFiles.Search(path);
            if (found.Count == 0)
            {
                diagnostics.Add(new ManifestDiagnostic(DiagnosticSeverity.Warning, "the directory holds no *.yaml, *.yml or *.json files") { File = path });
            }

            return found;
        }

        diagnostics.Add(new ManifestDiagnostic(DiagnosticSeverity.Error, "no such file or directory") { File = path });
        return [];
    }

    private void ReadText(TextReader text, string file, DiagnosticBag diagnostics, InventoryBuilder builder, bool foundInDirectory = false)
    {
        using var events = new BoundedParser(text, limits);
        try
        {
            foreach (var (document, root) in YamlDocuments.Read(events))
            {
                ReadDocument(root, file, document, diagnostics, builder, foundInDirectory);
            }
        }
        catch (YamlException e)
        {
            var reason = e.InnerException is YamlException inner ? inner.Message : e.Message;
            diagnostics.Add(new ManifestDiagnostic(DiagnosticSeverity.Error, $"not valid YAML: {Excerpt.Of(TrimYamlMessage(reason), 3 * Excerpt.MaxLength)}")
            {
                File = file,
                Line = (int)e.Start.Line,
                Column = (int)e.Start.Column,
                Document = events.Document,
            });
        }
        catch (YamlLimitException e)
        {
            diagnostics.Add(new ManifestDiagnostic(DiagnosticSeverity.Error, e.Message)
            {
                File = file,
                Line = (int)(e.At?.Line ?? 0),
                Column = (int)(e.At?.Column ?? 0),
                Document = events.Document,
            });
        }
    }

    private void ReadDocument(YamlNode root, string file, int document, DiagnosticBag diagnostics, InventoryBuilder builder, bool foundInDirectory)
    {
        if (ObjectReader.IsNull(root))
        {
            return;
        }

        // A file met while searching a directory may be no manifest at all (test data, a dashboard's JSON):
        // it is skipped with a warning. A file named on the command line must be manifests.
        if (foundInDirectory && !LooksLikeObject(root))
        {
            diagnostics.Add(new ManifestDiagnostic(DiagnosticSeverity.Warning, "not a Kubernetes object (no apiVersion or kind); skipped because it was found in a directory")
            {
                File = file,
                Document = document,
                Line = (int)root.Start.Line,
                Column = (int)root.Start.Column,
            });
            return;
        }

        ReadObject(root, file, document, string.Empty, diagnostics, builder);
    }

    private static bool LooksLikeObject(YamlNode root) =>
        root is YamlMappingNode map && (ObjectReader.Get(map, "apiVersion") is not null || ObjectReader.Get(map, "kind") is not null);

    /// <param name="itemType">For the items of a typed list (<c>PodList</c>): the apiVersion and kind they have when they name none.</param>
    private void ReadObject(YamlNode node, string file, int document, string prefix, DiagnosticBag diagnostics, InventoryBuilder builder, ItemType? itemType = null)
    {
        if (node is not YamlMappingNode map)
        {
            diagnostics.Add(new ManifestDiagnostic(DiagnosticSeverity.Error, $"expected an object with apiVersion and kind, got {Scalars.Describe(node)}")
            {
                File = file,
                Document = document,
                Line = (int)node.Start.Line,
                Column = (int)node.Start.Column,
                Path = prefix.TrimEnd('.'),
            });
            return;
        }

        var reader = new ObjectReader(diagnostics, file, document, prefix, map, itemType?.ApiVersion, itemType?.Kind);
        var apiVersion = ObjectReader.IsNull(ObjectReader.Get(map, "apiVersion")) && itemType is not null
            ? itemType.ApiVersion
            : reader.String(map, "apiVersion", string.Empty, required: true);
        var kind = ObjectReader.IsNull(ObjectReader.Get(map, "kind")) && itemType is not null
            ? itemType.Kind
            : reader.String(map, "kind", string.Empty, required: true);
        if (apiVersion is null || kind is null)
        {
            return;
        }

        if (kind.EndsWith("List", StringComparison.Ordinal) && ObjectReader.Get(map, "items") is { } itemsNode)
        {
            // A typed list as the API server returns it (NamespaceList, PodList, NetworkPolicyList) holds items that
            // name no kind or apiVersion: they are the list's, as client-go reads them. Items of 'kind: List' (what
            // kubectl prints) and items that name their own keep theirs.
            var typed = kind.Length > "List".Length ? new ItemType(apiVersion, kind[..^"List".Length]) : null;
            if (reader.List(itemsNode, "items") is { } items)
            {
                for (var i = 0; i < items.Children.Count; i++)
                {
                    ReadObject(items.Children[i], file, document, $"{prefix}items[{i}].", diagnostics, builder, typed);
                }
            }

            return;
        }

        builder.ObjectCount++;
        var metadata = reader.Map(map, "metadata", string.Empty);
        if (metadata is null)
        {
            reader.Error(map, "metadata", "required field is missing");
            return;
        }

        var objectReader = readers.FirstOrDefault(r => r.Handles(apiVersion, kind));
        if (objectReader is null)
        {
            // Cut as messages quote them: -v lists skipped objects, and the summary groups them by kind.
            var ns = reader.Namespace is { } n ? Excerpt.Of(n) : null;
            builder.Skipped.Add(new SkippedObject(Excerpt.Of(apiVersion), Excerpt.Of(kind), ns, Excerpt.Of(reader.Name), file, ObjectReader.Line(map)));
            return;
        }

        objectReader.Read(reader, builder);
    }

    private static string TrimYamlMessage(string message)
    {
        // YamlDotNet prefixes messages with "(Line: 3, Col: 5, Idx: 20) - (Line: ...): "; the location is reported separately.
        var i = message.LastIndexOf("): ", StringComparison.Ordinal);
        return i >= 0 ? message[(i + 3)..] : message;
    }

    /// <summary>The apiVersion and kind of a typed list's items.</summary>
    private sealed record ItemType(string ApiVersion, string Kind);
}
