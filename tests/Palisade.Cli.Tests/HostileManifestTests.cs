namespace Palisade.Cli.Tests;

/// <summary>
/// The exit-code contract on hostile YAML, through the whole command: each shape the mutation fuzzer found (a stack
/// overflow, an internal error, alias bombs) is bad input, exit 2, with one error at file:line and no long lines.
/// The loader's own fuzz test (Palisade.Manifests.Tests) covers the rest of the mutations in process.
/// </summary>
public sealed class HostileManifestTests
{
    private static string Hostile(string name) => Path.Combine(RepoPaths.Root, "tests", "Palisade.Manifests.Tests", "Hostile", name);

    [Theory]
    [InlineData("deep-nesting.yaml", 5, "lists and maps are nested deeper than 1,000 levels")]
    [InlineData("unclosed-flow-mapping.yaml", 2, "not valid YAML: a '[' or '{' is not closed")]
    [InlineData("alias-amplification.yaml", 21, "aliases expand the document to more than")]
    [InlineData("alias-label-key.yaml", 11, "aliases expand the document to more than")]
    [InlineData("map-entry-without-value.yaml", 14, "not valid YAML: a map entry is missing its key or its value")]
    public void Connectivity_HostileShape_IsBadInputAtFileLine(string name, int line, string message)
    {
        var file = Hostile(name);

        var (code, stdout, stderr) = CliRunner.Run("connectivity", "-f", file);

        Assert.Equal(2, code);
        Assert.Empty(stdout);
        Assert.Contains($"{file}:{line}:", stderr, StringComparison.Ordinal);
        Assert.Contains($"error: document 1: {message}", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("internal error", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Lint_Base64BlobGivenAsAManifest_QuotesItCut()
    {
        var file = Path.Combine(Path.GetTempPath(), $"palisade-blob-{Environment.ProcessId}.yaml");
        File.WriteAllText(file, string.Concat(Enumerable.Repeat("aGVsbG8gd29ybGQK", 262_144)));
        try
        {
            var (code, _, stderr) = CliRunner.Run("lint", "-f", file);

            Assert.Equal(2, code);
            Assert.Contains("…(4,194,304 characters)", stderr, StringComparison.Ordinal);
            Assert.All(stderr.Split('\n'), l => Assert.True(l.Length < 2_000, $"a line of {l.Length:N0} characters"));
        }
        finally
        {
            File.Delete(file);
        }
    }
}
