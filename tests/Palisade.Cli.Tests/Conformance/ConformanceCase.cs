using System.Text.Json;

namespace Palisade.Cli.Tests.Conformance;

/// <summary>
/// A conformance case on disk (cluster.yaml, policies.yaml, expect.json; the suite's cluster.yaml when the case has
/// none), in the format of tests/conformance/upstream/README.md.
/// </summary>
public sealed class ConformanceCase
{
    private ConformanceCase(string suite, string directory)
    {
        Suite = suite;
        Directory = directory;
        Name = Path.GetFileName(directory);
        var own = Path.Combine(directory, "cluster.yaml");
        Cluster = File.Exists(own) ? own : Path.Combine(Path.GetDirectoryName(directory)!, "cluster.yaml");
        Policies = Path.Combine(directory, "policies.yaml");
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, "expect.json")));
        var root = doc.RootElement;
        Ports = [.. root.GetProperty("ports").EnumerateArray().Select(p => p.GetString()!)];
        Allowed = [.. root.GetProperty("allowed").EnumerateArray().Select(Triple)];
        if (root.TryGetProperty("probes", out var probes))
        {
            Probes = [.. probes.EnumerateArray().Select(p => (Triple(p), p[3].GetBoolean()))];
        }

        Source = root.TryGetProperty("source", out var s) ? s.GetString() ?? string.Empty : string.Empty;
    }

    public string Suite { get; }

    public string Name { get; }

    public string Directory { get; }

    public string Cluster { get; }

    public string Policies { get; }

    public IReadOnlyList<string> Ports { get; }

    public HashSet<(string From, string To, string Port)> Allowed { get; }

    /// <summary>Null for a full-matrix case.</summary>
    public IReadOnlyList<((string From, string To, string Port) Key, bool Allowed)>? Probes { get; }

    public string Source { get; }

    public override string ToString() => $"{Suite}/{Name}";

    /// <summary>Every case of every suite folder under <paramref name="root"/> (a folder of suites).</summary>
    public static IEnumerable<ConformanceCase> Discover(string root, params string[] suites)
    {
        foreach (var suite in suites)
        {
            var suiteDir = Path.Combine(root, suite);
            if (!System.IO.Directory.Exists(suiteDir))
            {
                // A missing suite must fail the run loudly, never shrink it to nothing.
                throw new DirectoryNotFoundException($"conformance suite '{suite}' is missing: expected the folder {suiteDir}");
            }

            foreach (var dir in System.IO.Directory.GetDirectories(suiteDir).Order(StringComparer.Ordinal))
            {
                if (File.Exists(Path.Combine(dir, "expect.json")))
                {
                    yield return new ConformanceCase(suite, dir);
                }
            }
        }
    }

    private static (string, string, string) Triple(JsonElement e) => (e[0].GetString()!, e[1].GetString()!, e[2].GetString()!);
}
