namespace Palisade.Model.Tests.Selectors;

/// <summary>Kubernetes label key, label value and DNS name rules.</summary>
/// <remarks>
/// Source of the valid/invalid lists: kubernetes/kubernetes,
/// staging/src/k8s.io/apimachinery/pkg/util/validation/validation_test.go (TestIsQualifiedName,
/// TestIsValidLabelValue, TestIsDNS1123Label, TestIsDNS1123Subdomain). The messages are ours.
/// </remarks>
public sealed class LabelSyntaxTests
{
    [Theory]
    [InlineData("simple")]
    [InlineData("now-with-dashes")]
    [InlineData("1-starts-with-num")]
    [InlineData("1234")]
    [InlineData("simple/simple")]
    [InlineData("now-with-dashes/simple")]
    [InlineData("now-with-dashes/now-with-dashes")]
    [InlineData("now.with.dots/simple")]
    [InlineData("now-with.dashes-and.dots/simple")]
    [InlineData("1-num.2-num/3-num")]
    [InlineData("1234/5678")]
    [InlineData("1.2.3.4/5678")]
    [InlineData("Uppercase_Is_OK_123")]
    [InlineData("example.com/Uppercase_Is_OK_123")]
    [InlineData("requests.storage-foo")]
    [InlineData("app.kubernetes.io/name")]
    public void KeyError_ValidKey_IsNull(string key)
    {
        Assert.Null(LabelSyntax.KeyError(key));
    }

    [Fact]
    public void KeyError_LongestPrefixAndName_IsNull()
    {
        Assert.Null(LabelSyntax.KeyError(new string('a', 63)));
        Assert.Null(LabelSyntax.KeyError(new string('a', 253) + "/" + new string('b', 63)));
    }

    [Theory]
    [InlineData("", "must not be empty")]
    [InlineData("nospecialchars%^=@", "must consist of letters, digits, '-', '_' or '.'")]
    [InlineData("cantendwithadash-", "must start and end with a letter or digit")]
    [InlineData("-cantstartwithadash-", "must start and end with a letter or digit")]
    [InlineData("only/one/slash", "at most one '/'")]
    [InlineData("Example.com/abc", "prefix must be a DNS subdomain")]
    [InlineData("example_com/abc", "prefix must be a DNS subdomain")]
    [InlineData("example.com/", "name part must not be empty")]
    [InlineData("/simple", "prefix before '/' must not be empty")]
    [InlineData("example.com/-abc", "name part must consist of letters")]
    [InlineData("space in/name", "prefix must be a DNS subdomain")]
    public void KeyError_InvalidKey_SaysWhy(string key, string expected)
    {
        Assert.Contains(expected, LabelSyntax.KeyError(key), StringComparison.Ordinal);
    }

    [Fact]
    public void KeyError_NameOf64Characters_IsTooLong()
    {
        Assert.Equal("must be 63 characters or less", LabelSyntax.KeyError(new string('a', 64)));
        Assert.Equal("name part must be 63 characters or less", LabelSyntax.KeyError("x.io/" + new string('a', 64)));
    }

    [Fact]
    public void KeyError_PrefixOf254Characters_IsTooLong()
    {
        Assert.Equal(
            "prefix must be a DNS subdomain: must be 253 characters or less",
            LabelSyntax.KeyError(new string('a', 254) + "/abc"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("simple")]
    [InlineData("now-with-dashes")]
    [InlineData("1-starts-with-num")]
    [InlineData("end-with-num-1")]
    [InlineData("1234")]
    [InlineData("Uppercase_Is_OK_123")]
    [InlineData("a.b-c_d")]
    public void ValueError_ValidValue_IsNull(string value)
    {
        Assert.Null(LabelSyntax.ValueError(value));
    }

    [Theory]
    [InlineData("nospecialchars%^=@")]
    [InlineData("Tama-nui-te-rā.is.Māori.sun")]
    [InlineData("\\backslashes\\are\\bad")]
    [InlineData("-starts-with-dash")]
    [InlineData("ends-with-dash-")]
    [InlineData(".starts.with.dot")]
    [InlineData("ends.with.dot.")]
    public void ValueError_InvalidCharacters_SaysWhatIsAllowed(string value)
    {
        Assert.Equal(
            "must consist of letters, digits, '-', '_' or '.', and must start and end with a letter or digit",
            LabelSyntax.ValueError(value));
    }

    [Fact]
    public void ValueError_63And64Characters_AreTheLimit()
    {
        Assert.Null(LabelSyntax.ValueError(new string('v', 63)));
        Assert.Equal("must be 63 characters or less", LabelSyntax.ValueError(new string('v', 64)));
    }

    [Theory]
    [InlineData("a")]
    [InlineData("ab")]
    [InlineData("abc")]
    [InlineData("a1")]
    [InlineData("a-1")]
    [InlineData("a--1--2--b")]
    [InlineData("0")]
    [InlineData("01")]
    [InlineData("012")]
    [InlineData("1a")]
    [InlineData("1-a")]
    [InlineData("1--a--b--2")]
    public void DnsLabelError_KubernetesGoodValue_IsNull(string name)
    {
        Assert.Null(LabelSyntax.DnsLabelError(name));
    }

    [Theory]
    [InlineData("")]
    [InlineData("A")]
    [InlineData("ABC")]
    [InlineData("aBc")]
    [InlineData("A1")]
    [InlineData("A-1")]
    [InlineData("1-A")]
    [InlineData("-")]
    [InlineData("a-")]
    [InlineData("-a")]
    [InlineData("1-")]
    [InlineData("-1")]
    [InlineData("_")]
    [InlineData("a_")]
    [InlineData("_a")]
    [InlineData("a_b")]
    [InlineData("1_")]
    [InlineData("_1")]
    [InlineData("1_2")]
    [InlineData(".")]
    [InlineData("a.")]
    [InlineData(".a")]
    [InlineData("a.b")]
    [InlineData("1.")]
    [InlineData(".1")]
    [InlineData("1.2")]
    [InlineData(" ")]
    [InlineData("a ")]
    [InlineData(" a")]
    [InlineData("a b")]
    [InlineData("1 ")]
    [InlineData(" 1")]
    [InlineData("1 2")]
    public void DnsLabelError_KubernetesBadValue_SaysWhy(string name)
    {
        Assert.NotNull(LabelSyntax.DnsLabelError(name));
    }

    [Theory]
    [InlineData("", "must not be empty")]
    [InlineData("aBc", "must consist of lowercase letters, digits or '-'")]
    [InlineData("a.b", "must consist of lowercase letters, digits or '-'")]
    [InlineData("-a", "must start and end with a letter or digit")]
    public void DnsLabelError_InvalidName_MessageSaysWhy(string name, string expected)
    {
        Assert.Contains(expected, LabelSyntax.DnsLabelError(name), StringComparison.Ordinal);
    }

    [Fact]
    public void DnsLabelError_63And64Characters_AreTheLimit()
    {
        Assert.Null(LabelSyntax.DnsLabelError(new string('a', 63)));
        Assert.Equal("must be 63 characters or less", LabelSyntax.DnsLabelError(new string('a', 64)));
    }

    [Theory]
    [InlineData("a")]
    [InlineData("ab")]
    [InlineData("abc")]
    [InlineData("a1")]
    [InlineData("a-1")]
    [InlineData("a--1--2--b")]
    [InlineData("0")]
    [InlineData("01")]
    [InlineData("012")]
    [InlineData("1a")]
    [InlineData("1-a")]
    [InlineData("1--a--b--2")]
    [InlineData("a.a")]
    [InlineData("ab.a")]
    [InlineData("abc.a")]
    [InlineData("a1.a")]
    [InlineData("a-1.a")]
    [InlineData("a--1--2--b.a")]
    [InlineData("a.1")]
    [InlineData("ab.1")]
    [InlineData("abc.1")]
    [InlineData("a1.1")]
    [InlineData("a-1.1")]
    [InlineData("a--1--2--b.1")]
    [InlineData("0.a")]
    [InlineData("01.a")]
    [InlineData("012.a")]
    [InlineData("1a.a")]
    [InlineData("1-a.a")]
    [InlineData("0.1")]
    [InlineData("01.1")]
    [InlineData("012.1")]
    [InlineData("1a.1")]
    [InlineData("1-a.1")]
    [InlineData("1--a--b--2.1")]
    [InlineData("a.b.c.d.e")]
    [InlineData("aa.bb.cc.dd.ee")]
    [InlineData("1.2.3.4.5")]
    [InlineData("11.22.33.44.55")]
    public void DnsSubdomainError_KubernetesGoodValue_IsNull(string name)
    {
        Assert.Null(LabelSyntax.DnsSubdomainError(name));
    }

    [Theory]
    [InlineData("")]
    [InlineData("A")]
    [InlineData("ABC")]
    [InlineData("aBc")]
    [InlineData("A1")]
    [InlineData("A-1")]
    [InlineData("1-A")]
    [InlineData("-")]
    [InlineData("a-")]
    [InlineData("-a")]
    [InlineData("1-")]
    [InlineData("-1")]
    [InlineData("_")]
    [InlineData("a_")]
    [InlineData("_a")]
    [InlineData("a_b")]
    [InlineData("1_")]
    [InlineData("_1")]
    [InlineData("1_2")]
    [InlineData(".")]
    [InlineData("a.")]
    [InlineData(".a")]
    [InlineData("a..b")]
    [InlineData("1.")]
    [InlineData(".1")]
    [InlineData("1..2")]
    [InlineData(" ")]
    [InlineData("a ")]
    [InlineData(" a")]
    [InlineData("a b")]
    [InlineData("1 ")]
    [InlineData(" 1")]
    [InlineData("1 2")]
    [InlineData("A.a")]
    [InlineData("aB.a")]
    [InlineData("ab.A")]
    [InlineData("A1.a")]
    [InlineData("a1.A")]
    [InlineData("A.1")]
    [InlineData("aB.1")]
    [InlineData("A1.1")]
    [InlineData("1A.1")]
    [InlineData("0.A")]
    [InlineData("01.A")]
    [InlineData("012.A")]
    [InlineData("1A.a")]
    [InlineData("1a.A")]
    [InlineData("A.B.C.D.E")]
    [InlineData("AA.BB.CC.DD.EE")]
    [InlineData("a.B.c.d.e")]
    [InlineData("aa.bB.cc.dd.ee")]
    [InlineData("a@b")]
    [InlineData("a,b")]
    [InlineData("a;b")]
    [InlineData("a:b")]
    [InlineData("a%b")]
    [InlineData("a?b")]
    [InlineData("a$b")]
    public void DnsSubdomainError_KubernetesBadValue_SaysWhy(string name)
    {
        Assert.NotNull(LabelSyntax.DnsSubdomainError(name));
    }

    [Fact]
    public void DnsSubdomainError_PartLongerThan63_IsAllowedLikeKubernetes()
    {
        Assert.Null(LabelSyntax.DnsSubdomainError(new string('a', 100) + ".com"));
        Assert.Null(LabelSyntax.DnsSubdomainError(new string('a', 253)));
        Assert.Equal("must be 253 characters or less", LabelSyntax.DnsSubdomainError(new string('a', 254)));
    }
}
