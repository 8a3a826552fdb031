namespace Palisade.Architecture.Tests;

/// <summary>Every project file in the repository keeps the layering table, and every project is built by the solution.</summary>
public sealed class LayeringTests
{
    private static string Root { get; } = FindRoot();

    private static List<Layering.ProjectFile> Projects() =>
        [.. new[] { "src", "tests", "bench" }
            .Select(d => Path.Combine(Root, d))
            .Where(Directory.Exists)
            .SelectMany(d => Directory.EnumerateFiles(d, "*.csproj", SearchOption.AllDirectories))
            .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(Layering.ProjectFile.Read)];

    [Fact]
    public void EveryProject_ReferencesOnlyWhatTheTableAllows()
    {
        var projects = Projects();

        Assert.True(projects.Count >= 15, $"expected the repository's projects, found {projects.Count} under {Root}");
        var violations = Layering.Violations(projects);
        Assert.True(violations.Count == 0, string.Join("\n", violations));
    }

    [Fact]
    public void EveryProject_IsInTheSolution()
    {
        var solution = File.ReadAllText(Path.Combine(Root, "Palisade.sln"));

        var missing = Projects()
            .Select(p => Path.GetRelativePath(Root, p.Path).Replace('/', '\\'))
            .Where(relative => !solution.Contains(relative, StringComparison.Ordinal))
            .ToList();

        Assert.True(missing.Count == 0, "projects CI would not build (add them to Palisade.sln): " + string.Join(", ", missing));
    }

    [Fact]
    public void NothingInSrc_UsesTheTestsReferenceOracle()
    {
        // One production evaluator, the engine: the object-by-object PolicyEvaluator is the tests' oracle only.
        var users = Directory.EnumerateFiles(Path.Combine(Root, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Where(p => File.ReadAllText(p).Contains("PolicyEvaluator", StringComparison.Ordinal))
            .Select(p => Path.GetRelativePath(Root, p))
            .ToList();

        Assert.True(File.Exists(Path.Combine(Root, "tests", "Palisade.Engine.Tests", "Oracle", "PolicyEvaluator.cs")), "the reference oracle should live in tests/Palisade.Engine.Tests/Oracle");
        Assert.True(users.Count == 0, "src uses the tests' reference oracle (answer through the engine instead): " + string.Join(", ", users));
    }

    [Fact]
    public void Violations_EngineReferencingManifests_IsReported()
    {
        var engine = new Layering.ProjectFile("Palisade.Engine", "src/Palisade.Engine/Palisade.Engine.csproj", ["Palisade.Model", "Palisade.Manifests"], []);

        var violations = Layering.Violations([engine]);

        Assert.Equal(["src/Palisade.Engine/Palisade.Engine.csproj: Palisade.Engine may not reference Palisade.Manifests (allowed: Palisade.Model)"], violations);
    }

    [Fact]
    public void Violations_ModelUsingYaml_AndAnUnknownProject_AreReported()
    {
        var model = new Layering.ProjectFile("Palisade.Model", "m.csproj", [], ["YamlDotNet"]);
        var stray = new Layering.ProjectFile("Palisade.Stray", "s.csproj", ["Palisade.Model"], []);

        var violations = Layering.Violations([model, stray]);

        Assert.Equal(2, violations.Count);
        Assert.Contains(violations, v => v.Contains("Palisade.Model may not use the package YamlDotNet", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.Contains("Palisade.Stray is not in the layering table", StringComparison.Ordinal));
    }

    [Fact]
    public void Violations_ModelReferencingAnyPart_IsReported()
    {
        var model = new Layering.ProjectFile("Palisade.Model", "m.csproj", ["Palisade.Engine"], []);

        Assert.Single(Layering.Violations([model]));
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Palisade.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Palisade.sln not found above " + AppContext.BaseDirectory);
    }
}
