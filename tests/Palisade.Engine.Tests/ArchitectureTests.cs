using Palisade.Engine.Calculation;

namespace Palisade.Engine.Tests;

/// <summary>The engine depends only on the model: it never parses YAML, and a renderer never sees a manifest.</summary>
public sealed class ArchitectureTests
{
    [Fact]
    public void Engine_ReferencesNoManifestParsing()
    {
        var references = typeof(CalculationEngine).Assembly.GetReferencedAssemblies().Select(a => a.Name).ToList();

        Assert.Contains("Palisade.Model", references);
        Assert.DoesNotContain("Palisade.Manifests", references);
        Assert.DoesNotContain("YamlDotNet", references);
    }

    [Fact]
    public void Model_ReferencesNoOtherPalisadePart()
    {
        var references = typeof(Palisade.Model.LabelSet).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        Assert.DoesNotContain(references, r => r.StartsWith("Palisade.", StringComparison.Ordinal));
        Assert.DoesNotContain("YamlDotNet", references);
    }
}
