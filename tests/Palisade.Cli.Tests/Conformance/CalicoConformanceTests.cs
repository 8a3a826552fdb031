namespace Palisade.Cli.Tests.Conformance;

/// <summary>
/// Runs the calico-policy conformance suite — Calico v3 tiers and policies, each case an example or a statement of the
/// Calico documentation (its <c>source</c> names the page and section) — through <c>palisade connectivity</c>, like
/// the other suites (<see cref="ConformanceTests.Run"/>). Our own cases are in tests/conformance/calico-policy; the
/// shared folder's calico-policy suite is run too once it exists.
/// </summary>
public sealed class CalicoConformanceTests
{
    private const string Suite = "calico-policy";

    private static string OwnRoot => Path.Combine(RepoPaths.Root, "tests", "conformance");

    private static string SharedRoot => Path.Combine(RepoPaths.Shared, "conformance");

    public static TheoryData<string, string> OwnCalicoCases() => Cases(OwnRoot);

    [Theory]
    [MemberData(nameof(OwnCalicoCases))]
    public void OwnCalicoCase_Connectivity_MatchesDocumentedSemantics(string root, string name) => ConformanceTests.Run(root, name);

    /// <summary>
    /// The shared calico-policy suite, when ../shared/conformance/calico-policy exists (a theory over a missing folder
    /// would have no data, which xUnit reports as a failure): every case is run and every failing case is reported.
    /// </summary>
    [Fact]
    public void SharedCalicoCases_Connectivity_MatchDocumentedSemantics_WhenPresent()
    {
        if (!Directory.Exists(Path.Combine(SharedRoot, Suite)))
        {
            return;
        }

        var failures = new List<string>();
        foreach (var c in ConformanceCase.Discover(SharedRoot, Suite))
        {
            try
            {
                ConformanceTests.Run(SharedRoot, c.ToString());
            }
            catch (Xunit.Sdk.XunitException e)
            {
                failures.Add(e.Message);
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n\n", failures));
    }

    [Fact]
    public void CalicoSuites_AreDiscovered_WithEnoughCases()
    {
        Assert.True(OwnCalicoCases().Count >= 30, "our own calico-policy suite should hold at least 30 cases");
        if (Directory.Exists(Path.Combine(SharedRoot, Suite)))
        {
            Assert.True(Cases(SharedRoot).Count > 0, "the shared calico-policy folder exists but holds no case");
        }
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
