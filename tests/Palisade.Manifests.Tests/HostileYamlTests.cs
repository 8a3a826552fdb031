using System.Text;

namespace Palisade.Manifests.Tests;

/// <summary>
/// Hostile YAML costs a bounded multiple of its size: nesting, aliases and length are bounded per document, and each
/// bound exceeded is one error at file:line naming the limit. The four shapes in Hostile/ are the ones a mutation fuzzer
/// found (a stack overflow, an internal error, and two alias bombs that ran for over 20 s).
/// </summary>
public sealed class HostileYamlTests
{
    private static ManifestDiagnostic SingleError(LoadResult result)
    {
        Assert.False(result.Succeeded);
        var errors = result.Errors.ToList();
        Assert.True(errors.Count == 1, "expected one error, got:\n" + string.Join("\n", errors));
        return errors[0];
    }

    private static ManifestDiagnostic SingleError(string text, ManifestLimits? limits = null) =>
        SingleError(new ManifestLoader(limits).LoadText(text, "hostile.yaml"));

    private static ManifestDiagnostic HostileFile(string name) =>
        SingleError(new ManifestLoader().Load([RepoFiles.Path("tests", "Palisade.Manifests.Tests", "Hostile", name)]));

    [Fact]
    public void DeepNesting_45000BracketsOnOneLine_IsRefusedAtTheBracketPastTheLimit()
    {
        var e = HostileFile("deep-nesting.yaml");

        // The document's map and metadata are two levels; the brackets start at column 11, so the 999th is the 1,001st level.
        Assert.Equal(5, e.Line);
        Assert.Equal(11 + 998, e.Column);
        Assert.Equal(1, e.Document);
        Assert.Contains("nested deeper than 1,000 levels", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NestingAtTheLimit_IsReadOnAOneMegabyteStack()
    {
        // The YAML library builds its tree recursively; the depth bound must leave room on a small thread stack.
        LoadResult? atLimit = null;
        LoadResult? pastLimit = null;
        var thread = new Thread(
            () =>
            {
                atLimit = new ManifestLoader().LoadText(new string('[', 1000) + new string(']', 1000), "deep.yaml");
                pastLimit = new ManifestLoader().LoadText(new string('[', 1001) + new string(']', 1001), "deep.yaml");
            },
            maxStackSize: 1024 * 1024);
        thread.Start();
        thread.Join();

        // Within the limit the document is read (and is not an object); one level deeper it is refused.
        Assert.Contains("expected an object with apiVersion and kind", SingleError(atLimit!).Message, StringComparison.Ordinal);
        Assert.Contains("nested deeper than 1,000 levels", SingleError(pastLimit!).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnclosedFlowMappingAtTheEnd_IsNotValidYaml()
    {
        var e = HostileFile("unclosed-flow-mapping.yaml");

        Assert.Equal(2, e.Line);
        Assert.Contains("not valid YAML: a '[' or '{' is not closed", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AliasAmplification_RulesAliasingAliasedPeerLists_IsRefusedAtTheAliasPastTheLimit()
    {
        var e = HostileFile("alias-amplification.yaml");

        Assert.Equal(1, e.Document);
        Assert.True(e.Line < 30, e.ToString());
        Assert.Contains("aliases expand the document to more than", e.Message, StringComparison.Ordinal);
        Assert.Contains("100,000 plus 4 per character", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LabelKeyAliasingANestedAliasedList_IsRefused()
    {
        var e = HostileFile("alias-label-key.yaml");

        Assert.Contains("aliases expand the document", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MapKeyThatIsAList_IsRefused_AsKubernetesReadsYamlAsJson()
    {
        var e = SingleError("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n  annotations: {a: &l [b, c]}\n  labels:\n    ? *l\n    : v\n");
        Assert.Equal(7, e.Line);
        Assert.Contains("a map key must be a string", e.Message, StringComparison.Ordinal);

        var direct = SingleError("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n  labels: {[a]: v}\n");
        Assert.Equal(5, direct.Line);
        Assert.Contains("a map key must be a string", direct.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AliasInsideTheNodeItNames_IsRefusedAsACycle()
    {
        var e = SingleError("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n  annotations: &a {b: *a}\n");

        Assert.Equal(5, e.Line);
        Assert.Contains("alias *a is inside the node it names", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AliasBeforeItsAnchor_IsRefused()
    {
        var e = SingleError("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: *n\n  labels: {a: &n x}\n");

        Assert.Equal(4, e.Line);
        Assert.Contains("alias *n names no anchor defined before it", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ModestAliasing_IsReadAsIfWrittenOut()
    {
        const string Text = """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: p, namespace: x}
            spec:
              podSelector: {}
              ingress:
              - from: &peers
                - podSelector: {matchLabels: {app: a}}
                - podSelector: {matchLabels: {app: b}}
              - from: *peers
                ports: [{port: 80}]
              - from: *peers
                ports: [{port: 443}]
            """;

        var result = new ManifestLoader().LoadText(Text);

        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        var policy = Assert.Single(result.Policies.Policies);
        Assert.Equal(3, policy.IngressRules.Count);
        Assert.All(policy.IngressRules, r => Assert.Equal(["app == 'a'", "app == 'b'"], r.Source.Peers.Select(p => p.Selector?.ToString())));
    }

    [Fact]
    public void AliasBudget_GrowsWithTheDocumentsLength()
    {
        // One anchored list of 40 items aliased 200 times: 41 nodes an alias. The same aliases are refused in a short
        // document and read in one that is long enough (padding with a long annotation).
        var limits = new ManifestLimits { AliasNodeAllowance = 1_000, AliasNodesPerCharacter = 4 };
        string Document(int aliases, int padding) =>
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n  annotations:\n" +
            $"    pad: {new string('p', padding)}\n" +
            $"    list: &l [{string.Join(", ", Enumerable.Range(0, 40).Select(i => $"i{i}"))}]\n" +
            $"    copies: [{string.Join(", ", Enumerable.Repeat("*l", aliases))}]\n";

        var refused = SingleError(Document(aliases: 200, padding: 10), limits);
        Assert.Contains("aliases expand the document to more than", refused.Message, StringComparison.Ordinal);

        var read = new ManifestLoader(limits).LoadText(Document(aliases: 200, padding: 4_000));
        Assert.False(read.Errors.Any(d => d.Message.Contains("aliases", StringComparison.Ordinal)), string.Join("\n", read.Diagnostics));
    }

    [Fact]
    public void DocumentLongerThanTheLimit_IsRefused_OthersInTheFileAreNot()
    {
        var limits = new ManifestLimits { MaxDocumentCharacters = 2_000 };
        var small = "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n";
        var big = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: b\n  annotations:\n" +
                  string.Concat(Enumerable.Range(0, 100).Select(i => $"    k{i}: value-{i}-{new string('v', 20)}\n"));

        var e = SingleError(small + "---\n" + small.Replace("name: a", "name: c", StringComparison.Ordinal) + "---\n" + big, limits);

        Assert.Equal(3, e.Document);
        Assert.Contains("the document is longer than 2,000 characters", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OneHugeScalar_IsRefusedWhileItIsRead_NotAfter()
    {
        // The scanner gathers a scalar whole before the parser sees it; the reader under it stops the read.
        var limits = new ManifestLimits { MaxDocumentCharacters = 10_000 };
        var text = new StringBuilder("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ").Append('n', 1_000_000).Append('\n').ToString();

        var e = SingleError(text, limits);

        Assert.Equal(1, e.Document);
        Assert.Equal(4, e.Line);
        Assert.Contains("the document is longer than 10,000 characters", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void YamlErrorInALaterDocument_NamesThatDocument()
    {
        var e = SingleError("apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: b\n");

        Assert.Equal(3, e.Document);
        Assert.Contains("not valid YAML", e.Message, StringComparison.Ordinal);
    }
}
