namespace Palisade.Cli.Tests;

/// <summary>Finds the repository root (where Palisade.sln is) and the conformance suites in it.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>Our own transcribed suites (tests/conformance/SUITE/CASE).</summary>
    public static string Conformance => Path.Combine(Root, "tests", "conformance");

    /// <summary>The sample cases taken from the upstream test suites, copied into the repository (see its README).</summary>
    public static string Upstream => Path.Combine(Root, "tests", "conformance", "upstream");

    public static string Examples => Path.Combine(Root, "examples");

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Palisade.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("cannot find Palisade.sln above " + AppContext.BaseDirectory);
    }
}
