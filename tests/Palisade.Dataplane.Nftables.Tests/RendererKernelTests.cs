using Palisade.Engine.Calculation;

namespace Palisade.Dataplane.Nftables.Tests;

/// <summary>
/// Every rendered ruleset is accepted by the kernel, whole and as incremental transactions: rendered from every
/// conformance case (every policy shape the formats produce) into a scratch network namespace.
/// </summary>
public sealed class RendererKernelTests : IClassFixture<KernelFixture>
{
    private readonly KernelFixture kernel;

    public RendererKernelTests(KernelFixture kernel) => this.kernel = kernel;

    public static TheoryData<string> Cases() => ConformanceCases.Theory();

    private static (CalculationEngine Engine, List<RulesetRenderer.LocalEndpoint> Locals) Load(string dir)
    {
        var (engine, cluster, _) = ConformanceCases.Load(dir);
        return (engine, ConformanceCases.AllLocal(cluster));
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
        var cases = ConformanceCases.Directories();
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
