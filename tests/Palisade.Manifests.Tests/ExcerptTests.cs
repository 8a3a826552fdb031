namespace Palisade.Manifests.Tests;

/// <summary>Values quoted in messages are cut to a readable length, wherever the message comes from.</summary>
public sealed class ExcerptTests
{
    private static readonly string Blob = string.Concat(Enumerable.Repeat("aGVsbG8gd29ybGQK", 262_144)); // 4 MiB of base64

    private static void AssertShort(LoadResult result)
    {
        Assert.False(result.Succeeded);
        Assert.All(result.Diagnostics, d => Assert.True(d.ToString().Length < 500, $"a line of {d.ToString().Length:N0} characters"));
    }

    [Fact]
    public void Of_ShortValue_IsKeptWhole_LongValue_IsCutWithItsLength()
    {
        Assert.Equal("web", Excerpt.Of("web"));
        Assert.Equal(new string('a', 100), Excerpt.Of(new string('a', 100)));
        Assert.Equal(Blob[..80] + "…(4,194,304 characters)", Excerpt.Of(Blob));
    }

    [Fact]
    public void Of_NeverCutsASurrogatePairInHalf()
    {
        var text = new string('a', 79) + "😀" + new string('b', 100);

        Assert.Equal(new string('a', 79) + "…(181 characters)", Excerpt.Of(text));
    }

    [Fact]
    public void Base64BlobGivenAsAManifest_IsQuotedCut()
    {
        var result = new ManifestLoader().LoadText(Blob, "blob.yaml");

        AssertShort(result);
        var e = Assert.Single(result.Errors);
        Assert.Equal($"blob.yaml:1:1: error: document 1: expected an object with apiVersion and kind, got \"{Blob[..80]}…(4,194,304 characters)\"", e.ToString());
    }

    public static TheoryData<string> LongValueDocuments => new()
    {
        // The object's name (in the object and the message), a label key (in the path) and value, an unknown field,
        // a selector (its parser's message quotes it whole), a port name.
        $"apiVersion: v1\nkind: Pod\nmetadata:\n  name: {Blob[..5000]}\n",
        $"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n  labels: {{{Blob[..3000]}: v}}\n",
        $"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n  labels: {{a: {Blob[..3000]}}}\n",
        $"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: p, namespace: x}}\nspec:\n  podSelector:\n    ? {Blob[..6000]}\n    : 1\n",
        $"apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {{name: p}}\nspec:\n  selector: \"has({Blob[..4000]}\"\n",
        $"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: p, namespace: x}}\nspec:\n  podSelector: {{}}\n  ingress: [{{ports: [{{port: {Blob[..3000]}}}]}}]\n",
    };

    [Theory]
    [MemberData(nameof(LongValueDocuments))]
    public void LongValueInAnyPartOfAMessage_IsCut(string document)
    {
        var result = new ManifestLoader().LoadText(document, "long.yaml");

        AssertShort(result);
        Assert.Contains(result.Errors, e => e.ToString().Contains("characters)", StringComparison.Ordinal));
    }

    [Fact]
    public void SkippedObjectOfALongKind_IsListedCut()
    {
        var result = new ManifestLoader().LoadText($"apiVersion: example.com/v1\nkind: {Blob[..9000]}\nmetadata: {{name: {Blob[..7000]}}}\n");

        var skipped = Assert.Single(result.Skipped);
        Assert.True(skipped.ToString().Length < 300, skipped.ToString());
        Assert.StartsWith(Blob[..80] + "…(9,000 characters)", skipped.Kind, StringComparison.Ordinal);
    }

    [Fact]
    public void CutQuoted_CutsEachLongQuote_AndLeavesShortOnes()
    {
        var message = $"invalid selector \"{Blob[..500]}\": at position 4: expected \"(\"";

        Assert.Equal($"invalid selector \"{Blob[..80]}…(500 characters)\": at position 4: expected \"(\"", Excerpt.CutQuoted(message));
    }
}
