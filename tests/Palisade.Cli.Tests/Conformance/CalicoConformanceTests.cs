namespace Palisade.Cli.Tests.Conformance;

/// <summary>
/// Runs the calico-policy conformance suite — Calico v3 tiers and policies, each case an example or a statement of the
/// Calico documentation (its <c>source</c> names the page and section) — through <c>palisade connectivity</c>, like
/// the other suites (<see cref="ConformanceTests.Run"/>). Our own cases are in tests/conformance/calico-policy; the
/// upstream sample suite runs in <see cref="UpstreamConformanceTests"/>.
/// </summary>
public sealed class CalicoConformanceTests
{
    private const string Suite = "calico-policy";

    private static string OwnRoot => RepoPaths.Conformance;

    public static TheoryData<string, string> OwnCalicoCases() => Cases(OwnRoot);

    [Theory]
    [MemberData(nameof(OwnCalicoCases))]
    public void OwnCalicoCase_Connectivity_MatchesDocumentedSemantics(string root, string name) => ConformanceTests.Run(root, name);

    [Fact]
    public void CalicoSuites_AreDiscovered_WithEnoughCases()
    {
        Assert.True(OwnCalicoCases().Count >= 30, "our own calico-policy suite should hold at least 30 cases");
    }

    private static TheoryData<string, string> Cases(string root)
    {
        var data = new TheoryData<string, string>();
        foreach (var c in ConformanceCase.Discover(root, Suite))
        {
            data.Add(root, $"{c.Suite}/{c.Name}");
        }

        return data;
    }
}
