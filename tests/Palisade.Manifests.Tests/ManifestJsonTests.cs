using System.Text.Json.Nodes;

namespace Palisade.Manifests.Tests;

/// <summary>Manifests as the JSON objects an API server is sent: kubectl's scalar typing, lists expanded, the loader's limits.</summary>
public sealed class ManifestJsonTests
{
    private static IReadOnlyList<ManifestObject> Read(string yaml) => ManifestJson.Read(new StringReader(yaml), "test.yaml");

    [Fact]
    public void ExampleShop_EveryDocumentIsAnObject_AndTheLoaderReadsTheSameObjectsBackFromTheJson()
    {
        var objects = ManifestJson.ReadPaths([RepoFiles.Path("examples", "shop")]);
        var fromFiles = new ManifestLoader().Load([RepoFiles.Path("examples", "shop")]);
        var fromJson = new ManifestLoader().LoadTexts(objects.Select(o => (o.Location, o.Object.ToJsonString())));

        Assert.True(fromJson.Succeeded, string.Join('\n', fromJson.Errors));
        Assert.Equal(fromFiles.ObjectCount, objects.Count); // skipped kinds included
        Assert.Equal(fromFiles.Cluster.Workloads.Select(w => (w.Id, w.Labels.ToString())), fromJson.Cluster.Workloads.Select(w => (w.Id, w.Labels.ToString())));
        Assert.Equal(fromFiles.Policies.PolicyCount, fromJson.Policies.PolicyCount);
        Assert.All(objects, o => Assert.False(string.IsNullOrEmpty(o.Kind), o.Location));
    }

    [Fact]
    public void Scalars_AreTypedAsKubectlTypesThem()
    {
        var o = Read("""
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: x, labels: {quoted: "yes"}}
            data:
              yes11: yes
              off11: off
              hex: 0x50
              octal: 0o17
              under: 1_000
              float: 1.5
              nothing: ~
              text: plain words
              port: "80"
            """).Single().Object["data"]!;

        Assert.True(o["yes11"]!.GetValue<bool>());
        Assert.False(o["off11"]!.GetValue<bool>());
        Assert.Equal(80, o["hex"]!.GetValue<long>());
        Assert.Equal(15, o["octal"]!.GetValue<long>());
        Assert.Equal(1000, o["under"]!.GetValue<long>());
        Assert.Equal(1.5, o["float"]!.GetValue<double>());
        Assert.Null(o["nothing"]);
        Assert.True(((JsonObject)o).ContainsKey("nothing"));
        Assert.Equal("plain words", o["text"]!.GetValue<string>());
        Assert.Equal("80", o["port"]!.GetValue<string>());
    }

    [Fact]
    public void TypedList_ItemsGetTheListsKind_PlainListsKeepTheirs_AndEachItemItsLine()
    {
        var objects = Read("""
            apiVersion: v1
            kind: NamespaceList
            items:
              - metadata: {name: a}
              - metadata: {name: b}
            ---
            apiVersion: v1
            kind: List
            items:
              - apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: p, namespace: a}
            """);

        Assert.Equal([("v1", "Namespace", "a", 4), ("v1", "Namespace", "b", 5), ("networking.k8s.io/v1", "NetworkPolicy", "p", 10)],
            objects.Select(o => (o.ApiVersion, o.Kind, o.Name, o.Line)));
        Assert.Equal([1, 1, 2], objects.Select(o => o.Document));
        Assert.Equal("a", objects[2].Namespace);
    }

    [Theory]
    [InlineData("a: 1\na: 2\n", "test.yaml:2:1: not valid YAML: Duplicate key")]
    [InlineData("- 1\n- 2\n", "test.yaml:1:1: document 1 is a list, expected an object")]
    [InlineData("a: [1, 2\n", "test.yaml:")]
    [InlineData("a: .inf\n", "cannot be written as JSON")]
    public void BadDocuments_AreRefusedWithSourceAndLine(string yaml, string expected)
    {
        var error = Assert.Throws<ManifestFormatException>(() => Read(yaml));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DeepNesting_IsRefusedByTheLoadersLimit_NotAStackOverflow()
    {
        var yaml = "a: " + new string('[', 45_000) + new string(']', 45_000) + "\n";

        var error = Assert.Throws<ManifestFormatException>(() => Read(yaml));

        Assert.Contains("nest", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.True(error.Message.Length < 2_000);
    }

    [Fact]
    public void MissingPath_SaysSo() =>
        Assert.Contains("no such file or directory", Assert.Throws<ManifestFormatException>(() => ManifestJson.ReadPaths(["/nonexistent/x.yaml"])).Message, StringComparison.Ordinal);
}
