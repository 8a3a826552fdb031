namespace Palisade.Manifests.Tests;

/// <summary>Every class of bad input gets an error naming the file, document, line and field path, and nothing is analysed.</summary>
public sealed class BadInputTests
{
    private const string PolicyHead = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: p\n  namespace: x\nspec:\n";

    private static ManifestDiagnostic SingleError(string text, string file = "bad.yaml")
    {
        var result = new ManifestLoader().LoadText(text, file);
        Assert.False(result.Succeeded);
        Assert.Empty(result.Cluster.Workloads);
        Assert.Equal(0, result.Policies.PolicyCount);
        var errors = result.Errors.ToList();
        Assert.True(errors.Count == 1, "expected one error, got:\n" + string.Join("\n", errors));
        Assert.Equal(file, errors[0].File);
        return errors[0];
    }

    [Fact]
    public void BrokenYaml_ReportsFileLineAndDocument()
    {
        var e = SingleError("apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: [unclosed\n");

        Assert.Equal(2, e.Document);
        Assert.True(e.Line >= 8, e.ToString());
        Assert.StartsWith("bad.yaml:", e.ToString(), StringComparison.Ordinal);
        Assert.Contains("not valid YAML", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingKind_IsReported()
    {
        var e = SingleError("apiVersion: v1\nmetadata: {name: a}\n");

        Assert.Equal("kind", e.Path);
        Assert.Contains("required", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DocumentThatIsNotAnObject_IsReported()
    {
        var e = SingleError("- just\n- a list\n");

        Assert.Contains("expected an object with apiVersion and kind", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, e.Document);
    }

    [Fact]
    public void WrongType_LabelValueThatYamlReadsAsBoolean_IsReportedWithPathAndLine()
    {
        var e = SingleError("apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  labels:\n    ns: y\n");

        Assert.Equal("metadata.labels[ns]", e.Path);
        Assert.Equal(6, e.Line);
        Assert.Contains("expected a string, got the boolean y", e.Message, StringComparison.Ordinal);
        Assert.Equal("bad.yaml:6:9: error: document 1 (Pod a): metadata.labels[ns]: expected a string, got the boolean y (quote it: \"y\")", e.ToString());
    }

    [Fact]
    public void WrongType_ListWhereMapExpected_IsReported()
    {
        var e = SingleError(PolicyHead + "  podSelector: [a]\n");

        Assert.Equal("spec.podSelector", e.Path);
        Assert.Equal(7, e.Line);
        Assert.Contains("expected a map, got a list", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownFieldInPolicySpec_IsReported()
    {
        var e = SingleError(PolicyHead + "  podSelector: {}\n  ingres:\n  - {}\n");

        Assert.Equal("spec.ingres", e.Path);
        Assert.Equal(8, e.Line);
        Assert.Contains("unknown field \"ingres\"", e.Message, StringComparison.Ordinal);
        Assert.Contains("ingress", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownFieldInPeer_IsReported()
    {
        var result = new ManifestLoader().LoadText(PolicyHead + "  podSelector: {}\n  ingress:\n  - from:\n    - podSelectr: {}\n", "bad.yaml");

        var e = result.Errors.First();
        Assert.Equal("spec.ingress[0].from[0].podSelectr", e.Path);
        Assert.Equal(10, e.Line);
        Assert.Contains("unknown field \"podSelectr\" (expected one of: podSelector, namespaceSelector, ipBlock)", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("    - key: app\n      operator: Equals\n      values: [a]\n", "spec.podSelector.matchExpressions[0].operator", "unknown operator \"Equals\"")]
    [InlineData("    - key: app\n      operator: In\n", "spec.podSelector.matchExpressions[0].values", "needs at least one value")]
    [InlineData("    - key: app\n      operator: Exists\n      values: [a]\n", "spec.podSelector.matchExpressions[0].values", "takes no values")]
    [InlineData("    - key: -bad-\n      operator: Exists\n", "spec.podSelector.matchExpressions[0].key", "invalid label key")]
    public void InvalidSelector_IsReported(string expressions, string path, string message)
    {
        var e = SingleError(PolicyHead + "  podSelector:\n    matchExpressions:\n" + expressions);

        Assert.Equal(path, e.Path);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.True(e.Line >= 9);
    }

    [Fact]
    public void InvalidLabelValueInMatchLabels_IsReported()
    {
        var e = SingleError(PolicyHead + "  podSelector:\n    matchLabels:\n      app: \"has spaces\"\n");

        Assert.Equal("spec.podSelector.matchLabels[app]", e.Path);
        Assert.Equal(9, e.Line);
    }

    [Theory]
    [InlineData("  - port: 70000\n", "spec.ingress[0].ports[0].port", "must be between 1 and 65535")]
    [InlineData("  - port: 0\n", "spec.ingress[0].ports[0].port", "must be between 1 and 65535")]
    [InlineData("  - port: \"80\"\n", "spec.ingress[0].ports[0].port", "expected a port number (1-65535) or a port name")]
    [InlineData("  - port: Web_Port\n", "spec.ingress[0].ports[0].port", "expected a port number (1-65535) or a port name")]
    [InlineData("  - port: 90\n    endPort: 80\n", "spec.ingress[0].ports[0].endPort", "must be between port (90) and 65535")]
    [InlineData("  - endPort: 80\n", "spec.ingress[0].ports[0].endPort", "without a numeric port")]
    [InlineData("  - port: http\n    endPort: 80\n", "spec.ingress[0].ports[0].endPort", "named port")]
    [InlineData("  - protocol: ICMP\n", "spec.ingress[0].ports[0].protocol", "expected TCP, UDP or SCTP")]
    [InlineData("  - protocol: tcp\n", "spec.ingress[0].ports[0].protocol", "expected TCP, UDP or SCTP")]
    public void InvalidPort_IsReported(string port, string path, string message)
    {
        var e = SingleError(PolicyHead + "  podSelector: {}\n  ingress:\n  - ports:\n" + port.Replace("  - ", "    - ", StringComparison.Ordinal).Replace("\n    endPort", "\n      endPort", StringComparison.Ordinal));

        Assert.Equal(path, e.Path);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.True(e.Line >= 10, e.ToString());
    }

    [Theory]
    [InlineData("{cidr: 10.0.0.0}", "spec.ingress[0].from[0].ipBlock.cidr", "expected a CIDR")]
    [InlineData("{cidr: 10.0.0.0/33}", "spec.ingress[0].from[0].ipBlock.cidr", "expected a CIDR")]
    [InlineData("{cidr: not-an-ip/8}", "spec.ingress[0].from[0].ipBlock.cidr", "expected a CIDR")]
    [InlineData("{cidr: 10.0.0.0/16, except: [10.1.0.0/24]}", "spec.ingress[0].from[0].ipBlock.except[0]", "strict subset")]
    [InlineData("{cidr: 10.0.0.0/16, except: [10.0.0.0/16]}", "spec.ingress[0].from[0].ipBlock.except[0]", "strict subset")]
    [InlineData("{cidr: 10.0.0.0/16, except: [banana]}", "spec.ingress[0].from[0].ipBlock.except[0]", "expected a CIDR")]
    [InlineData("{except: [10.0.0.0/24]}", "spec.ingress[0].from[0].ipBlock.cidr", "required")]
    public void InvalidCidr_IsReported(string block, string path, string message)
    {
        var e = SingleError(PolicyHead + "  podSelector: {}\n  ingress:\n  - from:\n    - ipBlock: " + block + "\n");

        Assert.Equal(path, e.Path);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.Equal(10, e.Line);
    }

    [Fact]
    public void PeerWithNothingSet_IsReported()
    {
        var e = SingleError(PolicyHead + "  podSelector: {}\n  ingress:\n  - from:\n    - {}\n");

        Assert.Equal("spec.ingress[0].from[0]", e.Path);
        Assert.Contains("must set podSelector, namespaceSelector or ipBlock", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void IpBlockCombinedWithSelector_IsReported()
    {
        var e = SingleError(PolicyHead + "  podSelector: {}\n  egress:\n  - to:\n    - ipBlock: {cidr: 10.0.0.0/8}\n      podSelector: {}\n");

        Assert.Equal("spec.egress[0].to[0].ipBlock", e.Path);
        Assert.Contains("may not be combined", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownPolicyType_IsReported()
    {
        var e = SingleError(PolicyHead + "  podSelector: {}\n  policyTypes: [Ingress, Sideways]\n");

        Assert.Equal("spec.policyTypes[1]", e.Path);
        Assert.Contains("expected Ingress or Egress", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InvalidPodIp_IsReported()
    {
        var e = SingleError("apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nstatus:\n  podIP: 10.0.0.300\n");

        Assert.Equal("status.podIP", e.Path);
        Assert.Equal(5, e.Line);
    }

    [Fact]
    public void InvalidContainerPort_IsReported()
    {
        var e = SingleError("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\nspec:\n  template:\n    spec:\n      containers:\n      - name: c\n        ports:\n        - containerPort: http\n");

        Assert.Equal("spec.template.spec.containers[0].ports[0].containerPort", e.Path);
        Assert.Equal(10, e.Line);
        Assert.Contains("expected an integer", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InvalidObjectName_IsReported()
    {
        var e = SingleError("apiVersion: v1\nkind: Pod\nmetadata:\n  name: Web_Server\n");

        Assert.Equal("metadata.name", e.Path);
        Assert.Contains("lower case alphanumeric", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DuplicateObject_IsReportedWithTheFirstLocation()
    {
        var e = SingleError("apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: x}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: x}\n");

        Assert.Equal(2, e.Document);
        Assert.Contains("defined twice; first at bad.yaml:1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ErrorInsideList_NamesTheItemInThePath()
    {
        var e = SingleError("apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: a}\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: b, labels: {ok: true}}\n");

        Assert.Equal("items[1].metadata.labels[ok]", e.Path);
        Assert.Equal(9, e.Line);
    }

    [Fact]
    public void ManyErrors_AreAllReported_NotJustTheFirst()
    {
        var result = new ManifestLoader().LoadText(PolicyHead + "  podSelector: {}\n  ingress:\n  - ports:\n    - port: 0\n    - port: 99999\n  - from:\n    - {}\n");

        Assert.Equal(3, result.Errors.Count());
        Assert.Equal(0, result.Policies.PolicyCount);
    }

    [Fact]
    public void MissingFile_IsReported()
    {
        var result = new ManifestLoader().Load(["/nonexistent/palisade/policies.yaml"]);

        var e = Assert.Single(result.Errors);
        Assert.Equal("/nonexistent/palisade/policies.yaml", e.File);
        Assert.Contains("no such file or directory", e.Message, StringComparison.Ordinal);
    }
}
