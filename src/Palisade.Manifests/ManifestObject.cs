using System.Text.Json.Nodes;

namespace Palisade.Manifests;

/// <summary>One object of a manifest as JSON (what an API server is sent), and where it was written.</summary>
/// <param name="Source">The file (or other source) it came from.</param>
/// <param name="Document">The document's number in the source, from 1.</param>
/// <param name="Line">The line its object starts on, from 1.</param>
public sealed record ManifestObject(string Source, int Document, int Line, JsonObject Object)
{
    public string ApiVersion => Object["apiVersion"]?.GetValue<string>() ?? "";

    public string Kind => Object["kind"]?.GetValue<string>() ?? "";

    public string Name => Object["metadata"]?["name"]?.GetValue<string>() ?? "";

    /// <summary>The namespace the manifest gives, or null when it gives none.</summary>
    public string? Namespace => Object["metadata"]?["namespace"]?.GetValue<string>();

    /// <summary>Where it was written, as messages name it: <c>file:line (document N)</c>.</summary>
    public string Location => $"{Source}:{Line} (document {Document})";
}
