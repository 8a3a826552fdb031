using System.Text.Json.Nodes;
using Palisade.Manifests;
using Palisade.Server.Api;

namespace Palisade.Server.Registry;

/// <summary>
/// Validates an object as the CLI's loader does, so the server refuses exactly what <c>palisade</c> refuses, with the
/// same field paths and messages.
/// </summary>
internal sealed class ObjectValidator(ManifestLimits limits)
{
    private readonly ManifestLoader loader = new(limits);

    /// <summary>The loader's errors and warnings for one object; <paramref name="tierExists"/> answers for Calico tiers
    /// defined in the store (the loader only knows the tiers in its own input).</summary>
    public (IReadOnlyList<ManifestDiagnostic> Errors, IReadOnlyList<ManifestDiagnostic> Warnings) Validate(JsonObject obj, Func<string, bool> tierExists)
    {
        var result = loader.LoadText(obj.ToJsonString(), "request");
        var errors = result.Errors.Where(e => !IsKnownTier(e, tierExists)).ToList();
        return (errors, result.Warnings.ToList());
    }

    /// <summary>The Status a client reads for the errors: 422 Invalid, each error a cause with its field path.</summary>
    public static ApiException Invalid(ResourceKind kind, string name, IReadOnlyList<ManifestDiagnostic> errors)
    {
        var causes = new JsonArray();
        foreach (var e in errors)
        {
            causes.Add(new JsonObject { ["reason"] = "FieldValueInvalid", ["message"] = e.Message, ["field"] = e.Path ?? string.Empty });
        }

        var details = ApiException.Detail(kind, name);
        details["kind"] = kind.Kind;
        details["causes"] = causes;
        var what = string.Join(", ", errors.Select(Describe));
        var message = errors.Count == 1
            ? $"{kind.Kind}.{kind.Group} \"{name}\" is invalid: {what}"
            : $"{kind.Kind}.{kind.Group} \"{name}\" is invalid: [{what}]";
        return new ApiException(422, "Invalid", message.Replace($"{kind.Kind}. \"", $"{kind.Kind} \"", StringComparison.Ordinal), details);
    }

    public static string Describe(ManifestDiagnostic d) => string.IsNullOrEmpty(d.Path) ? d.Message : $"{d.Path}: {d.Message}";

    private static bool IsKnownTier(ManifestDiagnostic error, Func<string, bool> tierExists)
    {
        const string Prefix = "names tier \"";
        if (error.Path != "spec.tier" || !error.Message.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var end = error.Message.IndexOf('"', Prefix.Length);
        return end > 0 && tierExists(error.Message[Prefix.Length..end]);
    }
}
