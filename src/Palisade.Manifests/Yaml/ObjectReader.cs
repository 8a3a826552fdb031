using System.Collections.Immutable;
using System.Globalization;
using Palisade.Model;
using Palisade.Model.Selectors;
using YamlDotNet.RepresentationModel;

namespace Palisade.Manifests.Yaml;

/// <summary>
/// Reads one Kubernetes-style object (apiVersion, kind, metadata, spec) with typed accessors that report every problem
/// with its file, document, line and field path, and return null instead of guessing.
/// </summary>
internal sealed class ObjectReader
{
    private readonly DiagnosticBag diagnostics;

    public ObjectReader(DiagnosticBag diagnostics, string file, int document, string pathPrefix, YamlMappingNode root)
    {
        this.diagnostics = diagnostics;
        File = file;
        Document = document;
        PathPrefix = pathPrefix;
        Root = root;
        ApiVersion = ScalarText(Get(root, "apiVersion")) ?? string.Empty;
        Kind = ScalarText(Get(root, "kind")) ?? string.Empty;
        var metadata = Get(root, "metadata") as YamlMappingNode;
        Name = ScalarText(metadata is null ? null : Get(metadata, "name")) ?? string.Empty;
        var ns = ScalarText(metadata is null ? null : Get(metadata, "namespace"));
        Namespace = string.IsNullOrEmpty(ns) ? null : ns;
    }

    public string File { get; }

    public int Document { get; }

    public string PathPrefix { get; }

    public YamlMappingNode Root { get; }

    public string ApiVersion { get; }

    public string Kind { get; }

    public string Name { get; }

    /// <summary>The namespace as written; null when the object does not name one.</summary>
    public string? Namespace { get; }

    public int ErrorCount { get; private set; }

    /// <summary>The object as messages name it, e.g. <c>NetworkPolicy x/web</c> (each part cut to a readable length).</summary>
    public string DisplayName => Namespace is null ? $"{Excerpt.Of(Kind)} {Excerpt.Of(Name)}" : $"{Excerpt.Of(Kind)} {Excerpt.Of(Namespace)}/{Excerpt.Of(Name)}";

    public SourceRef SourceRef(string? effectiveNamespace) =>
        new(ApiVersion, Kind, effectiveNamespace, Name) { File = File, Line = Line(Root) };

    public static int Line(YamlNode? node) => node is null ? 0 : (int)node.Start.Line;

    public void Error(YamlNode? at, string path, string message) => Report(DiagnosticSeverity.Error, at, path, message);

    /// <summary>An error about the whole object, made without reporting it (for checks replayed from a cache).</summary>
    public ManifestDiagnostic ObjectError(string message) => new(DiagnosticSeverity.Error, message)
    {
        File = File,
        Document = Document,
        Line = (int)Root.Start.Line,
        Column = (int)Root.Start.Column,
        Path = PathPrefix.TrimEnd('.'),
        Object = string.IsNullOrEmpty(Kind) ? null : DisplayName,
    };

    public void Warning(YamlNode? at, string path, string message) => Report(DiagnosticSeverity.Warning, at, path, message);

    private void Report(DiagnosticSeverity severity, YamlNode? at, string path, string message)
    {
        if (severity == DiagnosticSeverity.Error)
        {
            ErrorCount++;
        }

        at ??= Root;
        diagnostics.Add(new ManifestDiagnostic(severity, message)
        {
            File = File,
            Document = Document,
            Line = (int)at.Start.Line,
            Column = (int)at.Start.Column,
            Path = PathPrefix + path,
            Object = string.IsNullOrEmpty(Kind) ? null : DisplayName,
        });
    }

    public static string Field(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    public static string Index(string path, int index) => string.Create(CultureInfo.InvariantCulture, $"{path}[{index}]");

    public static YamlNode? Get(YamlMappingNode map, string key)
    {
        foreach (var (k, v) in map.Children)
        {
            if (k is YamlScalarNode s && string.Equals(s.Value, key, StringComparison.Ordinal))
            {
                return v;
            }
        }

        return null;
    }

    public static bool IsNull(YamlNode? node) => node is null || (node is YamlScalarNode s && Scalars.Classify(s) == ScalarType.Null);

    private static string? ScalarText(YamlNode? node) => node is YamlScalarNode s && Scalars.Classify(s) != ScalarType.Null ? s.Value : null;

    /// <summary>Reports every key of <paramref name="map"/> that is not in <paramref name="known"/>.</summary>
    public void OnlyFields(YamlMappingNode map, string path, params string[] known)
    {
        foreach (var (k, _) in map.Children)
        {
            var key = (k as YamlScalarNode)?.Value ?? string.Empty;
            if (Array.IndexOf(known, key) < 0)
            {
                Error(k, Field(path, Excerpt.Of(key)), $"unknown field \"{Excerpt.Of(key)}\" (expected one of: {string.Join(", ", known)})");
            }
        }
    }

    /// <summary>A map, or null (with an error when the node is something else). Null and absent read as null.</summary>
    public YamlMappingNode? Map(YamlNode? node, string path)
    {
        if (IsNull(node))
        {
            return null;
        }

        if (node is YamlMappingNode m)
        {
            return m;
        }

        Error(node, path, $"expected a map, got {Scalars.Describe(node)}");
        return null;
    }

    public YamlMappingNode? Map(YamlMappingNode parent, string key, string path) => Map(Get(parent, key), Field(path, key));

    /// <summary>A list, or null (with an error when the node is something else).</summary>
    public YamlSequenceNode? List(YamlNode? node, string path)
    {
        if (IsNull(node))
        {
            return null;
        }

        if (node is YamlSequenceNode s)
        {
            return s;
        }

        Error(node, path, $"expected a list, got {Scalars.Describe(node)}");
        return null;
    }

    public YamlSequenceNode? List(YamlMappingNode parent, string key, string path) => List(Get(parent, key), Field(path, key));

    /// <summary>A string; numbers and booleans are errors, as Kubernetes rejects them where strings are expected.</summary>
    public string? String(YamlNode? node, string path, bool required = false)
    {
        if (IsNull(node))
        {
            if (required)
            {
                Error(node, path, "required field is missing");
            }

            return null;
        }

        if (node is YamlScalarNode s)
        {
            var type = Scalars.Classify(s);
            if (type == ScalarType.String)
            {
                return s.Value ?? string.Empty;
            }

            Error(node, path, $"expected a string, got {Scalars.Describe(node)} (quote it: \"{Excerpt.Of(s.Value)}\")");
            return null;
        }

        Error(node, path, $"expected a string, got {Scalars.Describe(node)}");
        return null;
    }

    public string? String(YamlMappingNode parent, string key, string path, bool required = false)
    {
        var node = Get(parent, key);
        if (node is null && required)
        {
            Error(parent, Field(path, key), "required field is missing");
            return null;
        }

        return String(node, Field(path, key), required);
    }

    /// <summary>An integer, or null (with an error when the node is something else).</summary>
    public long? Integer(YamlNode? node, string path)
    {
        if (IsNull(node))
        {
            return null;
        }

        if (node is YamlScalarNode s && Scalars.TryGetInteger(s, out var value))
        {
            return value;
        }

        Error(node, path, $"expected an integer, got {Scalars.Describe(node)}");
        return null;
    }

    public bool? Boolean(YamlNode? node, string path)
    {
        if (IsNull(node))
        {
            return null;
        }

        if (node is YamlScalarNode s && Scalars.Classify(s) == ScalarType.Bool)
        {
            return s.Value is "true" or "True" or "TRUE" or "y" or "Y" or "yes" or "Yes" or "YES" or "on" or "On" or "ON";
        }

        Error(node, path, $"expected true or false, got {Scalars.Describe(node)}");
        return null;
    }

    /// <summary>A list of strings; each bad item is reported.</summary>
    public ImmutableArray<string> Strings(YamlNode? node, string path)
    {
        var list = List(node, path);
        if (list is null)
        {
            return [];
        }

        var result = ImmutableArray.CreateBuilder<string>(list.Children.Count);
        for (var i = 0; i < list.Children.Count; i++)
        {
            if (String(list.Children[i], Index(path, i), required: true) is { } s)
            {
                result.Add(s);
            }
        }

        return result.ToImmutable();
    }

    /// <summary>A label map (<c>metadata.labels</c>, <c>matchLabels</c>), with keys and values validated.</summary>
    public ImmutableSortedDictionary<string, string> LabelMap(YamlNode? node, string path)
    {
        var map = Map(node, path);
        if (map is null)
        {
            return ImmutableSortedDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal);
        }

        var result = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in map.Children)
        {
            var key = String(k, path);
            if (key is null)
            {
                continue;
            }

            var itemPath = $"{path}[{Excerpt.Of(key)}]";
            if (LabelSyntax.KeyError(key) is { } keyError)
            {
                Error(k, itemPath, $"invalid label key \"{key}\": {keyError}");
                continue;
            }

            var value = IsNull(v) ? string.Empty : String(v, itemPath);
            if (value is null)
            {
                continue;
            }

            if (LabelSyntax.ValueError(value) is { } valueError)
            {
                Error(v, itemPath, $"invalid label value \"{value}\": {valueError}");
                continue;
            }

            result[key] = value;
        }

        return result.ToImmutable();
    }

    public LabelSet Labels(YamlNode? node, string path) => LabelSet.From(LabelMap(node, path));

    /// <summary>
    /// A Kubernetes LabelSelector (matchLabels, matchExpressions), validated as the API server does. Returns null when
    /// the node is null or absent (callers decide what a missing selector means) or on error.
    /// </summary>
    public LabelSelector? LabelSelector(YamlNode? node, string path)
    {
        var map = Map(node, path);
        if (map is null)
        {
            return null;
        }

        var before = ErrorCount;
        OnlyFields(map, path, "matchLabels", "matchExpressions");
        var labels = LabelMap(Get(map, "matchLabels"), Field(path, "matchLabels"));
        var expressions = ImmutableArray.CreateBuilder<LabelSelectorRequirement>();
        var exprPath = Field(path, "matchExpressions");
        if (List(map, "matchExpressions", path) is { } list)
        {
            for (var i = 0; i < list.Children.Count; i++)
            {
                var itemPath = Index(exprPath, i);
                if (Map(list.Children[i], itemPath) is not { } item)
                {
                    if (IsNull(list.Children[i]))
                    {
                        Error(list.Children[i], itemPath, "expected a requirement {key, operator, values}, got null");
                    }

                    continue;
                }

                OnlyFields(item, itemPath, "key", "operator", "values");
                var key = String(item, "key", itemPath, required: true);
                var op = String(item, "operator", itemPath, required: true);
                var valuesNode = Get(item, "values");
                var values = Strings(valuesNode, Field(itemPath, "values"));
                if (key is not null && LabelSyntax.KeyError(key) is { } keyError)
                {
                    Error(Get(item, "key"), Field(itemPath, "key"), $"invalid label key \"{key}\": {keyError}");
                    key = null;
                }

                for (var j = 0; j < values.Length; j++)
                {
                    if (LabelSyntax.ValueError(values[j]) is { } valueError)
                    {
                        Error(valuesNode, Index(Field(itemPath, "values"), j), $"invalid label value \"{values[j]}\": {valueError}");
                    }
                }

                LabelSelectorOperator? parsed = op switch
                {
                    "In" => LabelSelectorOperator.In,
                    "NotIn" => LabelSelectorOperator.NotIn,
                    "Exists" => LabelSelectorOperator.Exists,
                    "DoesNotExist" => LabelSelectorOperator.DoesNotExist,
                    null => null,
                    _ => null,
                };
                if (op is not null && parsed is null)
                {
                    Error(Get(item, "operator"), Field(itemPath, "operator"), $"unknown operator \"{op}\" (expected In, NotIn, Exists or DoesNotExist)");
                }

                if (parsed is LabelSelectorOperator.In or LabelSelectorOperator.NotIn && values.IsEmpty)
                {
                    Error(valuesNode ?? item, Field(itemPath, "values"), $"operator {op} needs at least one value");
                }
                else if (parsed is LabelSelectorOperator.Exists or LabelSelectorOperator.DoesNotExist && !values.IsEmpty)
                {
                    Error(valuesNode, Field(itemPath, "values"), $"operator {op} takes no values");
                }

                if (key is not null && parsed is { } o)
                {
                    expressions.Add(new LabelSelectorRequirement(key, o, values));
                }
            }
        }

        return ErrorCount > before ? null : new LabelSelector(labels, expressions.ToImmutable());
    }
}
