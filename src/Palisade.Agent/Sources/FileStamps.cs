namespace Palisade.Agent.Sources;

/// <summary>Every file under the watched paths with its modification time and length (a rewrite can keep the time: timestamps are coarse).</summary>
internal static class FileStamps
{
    public static Dictionary<string, Stamp> Read(IReadOnlyList<string> paths)
    {
        var result = new Dictionary<string, Stamp>(StringComparer.Ordinal);
        foreach (var path in paths)
        {
            var files = File.Exists(path) ? [path] : Directory.Exists(path) ? Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories) : [];
            foreach (var f in files)
            {
                var info = new FileInfo(f);
                result[f] = info.Exists ? new Stamp(info.LastWriteTimeUtc, info.Length) : new Stamp(DateTime.MinValue, -1);
            }
        }

        return result;
    }

    public static bool Same(Dictionary<string, Stamp> a, Dictionary<string, Stamp> b) =>
        a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var v) && v == kv.Value);

    public readonly record struct Stamp(DateTime Modified, long Length);
}
