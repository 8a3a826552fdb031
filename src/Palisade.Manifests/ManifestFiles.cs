namespace Palisade.Manifests;

/// <summary>Which files of a directory are manifests: the one search rule of the loader and of <see cref="ManifestJson"/>.</summary>
internal static class ManifestFiles
{
    private static readonly string[] Extensions = [".yaml", ".yml", ".json"];

    /// <summary>Every *.yaml, *.yml and *.json file under <paramref name="directory"/>, recursively, in ordinal order.</summary>
    public static List<string> Search(string directory) =>
        [.. Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .Where(f => Extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)];
}
