using Palisade.Dataplane.Nftables.Model;
using Palisade.Engine.Calculation;
using Palisade.Manifests;

namespace Palisade.Dataplane.Nftables.Tests;

/// <summary>
/// Every rendered ruleset is accepted by the kernel, whole and as incremental transactions: rendered from every
/// conformance case (every policy shape the formats produce) into a scratch network namespace.
/// </summary>
public sealed class RendererKernelTests : IClassFixture<KernelFixture>
{
    private readonly KernelFixture kernel;

    public RendererKernelTests(KernelFixture kernel) => this.kernel = kernel;

    private static string Root
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Palisade.sln")))
            {
                dir = dir.Parent;
            }

            return dir!.FullName;
        }
    }

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var dir in CaseDirectories())
        {
            data.Add(dir);
        }

        return data;
    }

    private static List<string> CaseDirectories()
    {
        var data = new List<string>();
        foreach (var root in new[] { Path.Combine(Root, "tests", "conformance", "upstream"), Path.Combine(Root, "tests", "conformance") })
        {
            if (!Directory.Exists(root))
            {
                continue;
            }

            foreach (var dir in Directory.GetDirectories(root).SelectMany(Directory.GetDirectories).Order(StringComparer.Ordinal))
            {
                if (File.Exists(Path.Combine(dir, "expect.json")))
                {
                    data.Add(Path.GetFullPath(dir));
                }
            }
        }

        return data;
    }

    private static (CalculationEngine Engine, List<RulesetRenderer.LocalEndpoint> Locals) Load(string dir)
    {
        var cluster = File.Exists(Path.Combine(dir, "cluster.yaml")) ? Path.Combine(dir, "cluster.yaml") : Path.Combine(dir, "..", "cluster.yaml");
        var paths = new List<string> { cluster };
        if (File.Exists(Path.Combine(dir, "policies.yaml")))
        {
            paths.Add(Path.Combine(dir, "policies.yaml"));
        }

        var loaded = new ManifestLoader().Load(paths);
        Assert.True(loaded.Succeeded, string.Join("\n", loaded.Diagnostics));
        var engine = CalculationEngine.Build(loaded.Cluster, loaded.Policies);
        var locals = loaded.Cluster.Workloads.Select((w, i) => new RulesetRenderer.LocalEndpoint(w.Id, $"palt{i}")).ToList();
        return (engine, locals);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void RenderedTable_IsAcceptedByTheKernel(string caseDir)
    {
        var (engine, locals) = Load(caseDir);
        var table = new RulesetRenderer(new RuleCatalog()).Render(engine, locals, generation: 7);
        Assert.NotEmpty(table.Chains);

        var listed = NetworkNamespace.Run(kernel.Name, () =>
        {
            using var nft = new NftablesContext();
            nft.Run(RulesetDiff.Replace(table));
            return nft.Run("list table inet palisade");
        });

        Assert.Contains("hook forward", listed, StringComparison.Ordinal);
        Assert.Contains("ct mark 0x00000007", listed, StringComparison.Ordinal);
    }

    [Fact]
    public void Transaction_BetweenTwoCases_TakesTheKernelToTheNewTable_AndIsEmptyWhenNothingChanged()
    {
        var cases = CaseDirectories();
        var (e1, l1) = Load(cases[0]);
        var (e2, l2) = Load(cases[^1]);
        var catalog = new RuleCatalog();
        var renderer = new RulesetRenderer(catalog);
        var first = renderer.Render(e1, l1, generation: 1);
        var second = renderer.Render(e2, l2, generation: 2);

        var (afterDiff, afterReplace) = NetworkNamespace.Run(kernel.Name, () =>
        {
            using var nft = new NftablesContext();
            nft.Run(RulesetDiff.Replace(first));
            nft.Run(RulesetDiff.Transaction(first, second));
            var viaDiff = nft.Run("list table inet palisade");
            nft.Run(RulesetDiff.Replace(second));
            return (viaDiff, nft.Run("list table inet palisade"));
        });

        Assert.Equal(Normalize(afterReplace), Normalize(afterDiff));
        Assert.Equal(string.Empty, RulesetDiff.Transaction(second, renderer.Render(e2, l2, generation: 2)));
    }

    /// <summary>Listing order of chains and set elements is the kernel's; compare as sorted lines.</summary>
    private static string Normalize(string listing) =>
        string.Join('\n', listing.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).Order(StringComparer.Ordinal));
}
