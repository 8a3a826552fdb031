namespace Palisade.Manifests.Tests;

/// <summary>
/// CIDRs written with host bits (<c>10.0.0.1/8</c>, <c>ff06::/3</c>) are read as each API reads them: accepted and
/// read as the network, with a warning lint shows (file, object, field path), where the API accepts them — Kubernetes
/// ipBlock (the API server only warns), the AdminNetworkPolicy and ClusterNetworkPolicy CRDs (CEL isCIDR), Calico network
/// sets ("cidr") — and refused where it refuses them: Calico rule nets ("net", strictly masked).
/// </summary>
public sealed class HostBitsTests
{
    private static LoadResult Load(string text)
    {
        var result = new ManifestLoader().LoadText(text, "p.yaml");
        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        return result;
    }

    private static void AssertIgnored(LoadResult result, string obj, string path, string written, string network)
    {
        var w = Assert.Single(result.Warnings);
        Assert.Equal("p.yaml", w.File);
        Assert.Equal(obj, w.Object);
        Assert.Equal(path, w.Path);
        Assert.Equal($"the host bits of \"{written}\" are ignored: it is read as the network {network}", w.Message);
        Assert.True(w.Line > 0);
    }

    [Fact]
    public void KubernetesIpBlock_CidrAndExceptWithHostBits_AreReadAsTheirNetworks()
    {
        var result = Load("""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: p, namespace: x}
            spec:
              podSelector: {}
              policyTypes: [Egress]
              egress:
              - to:
                - ipBlock:
                    cidr: 10.0.1.1/4
                    except: [10.0.1.0/24]
            """);

        AssertIgnored(result, "NetworkPolicy x/p", "spec.egress[0].to[0].ipBlock.cidr", "10.0.1.1/4", "0.0.0.0/4");
        var net = Assert.Single(Assert.Single(Assert.Single(result.Policies.Policies).EgressRules).Destination.Peers).Nets[0];
        Assert.Equal("0.0.0.0/4 except 10.0.1.0/24", net.ToString());
    }

    [Fact]
    public void KubernetesIpBlock_ExceptWithHostBits_IsReadAsItsNetwork()
    {
        var result = Load("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\nspec:\n  podSelector: {}\n  ingress:\n  - from:\n    - ipBlock: {cidr: 10.0.0.0/8, except: [10.1.2.3/16]}\n");

        AssertIgnored(result, "NetworkPolicy x/p", "spec.ingress[0].from[0].ipBlock.except[0]", "10.1.2.3/16", "10.1.0.0/16");
        Assert.Equal("10.0.0.0/8 except 10.1.0.0/16", Assert.Single(Assert.Single(Assert.Single(result.Policies.Policies).IngressRules).Source.Peers).Nets[0].ToString());
    }

    [Theory]
    [InlineData("v1alpha1", "AdminNetworkPolicy", "Allow", "")]
    [InlineData("v1alpha2", "ClusterNetworkPolicy", "Accept", "  tier: Admin\n")]
    [InlineData("v1beta1", "ClusterNetworkPolicy", "Accept", "  tier: Admin\n")]
    public void PolicyApiNetworks_WithHostBits_AreReadAsTheirNetworks(string version, string kind, string allow, string tier)
    {
        var result = Load($"apiVersion: policy.networking.k8s.io/{version}\nkind: {kind}\nmetadata: {{name: p}}\nspec:\n{tier}  priority: 5\n  subject: {{namespaces: {{}}}}\n  egress:\n  - action: {allow}\n    to:\n    - networks: [10.0.0.0/8, ff06::/3]\n");

        AssertIgnored(result, $"{kind} p", "spec.egress[0].to[0].networks[1]", "ff06::/3", "e000::/3");
        var peer = Assert.Single(Assert.Single(result.Policies.Policies).EgressRules).Destination.Peers.Single(p => !p.Nets.IsEmpty);
        Assert.Equal(["10.0.0.0/8", "e000::/3"], peer.Nets.Select(n => n.ToString()));
    }

    [Fact]
    public void CalicoNetworkSet_WithHostBits_IsReadAsItsNetwork()
    {
        var result = Load("apiVersion: projectcalico.org/v3\nkind: GlobalNetworkSet\nmetadata: {name: partners, labels: {role: partner}}\nspec:\n  nets: [203.0.113.7/24, 198.51.100.7]\n");

        AssertIgnored(result, "GlobalNetworkSet partners", "spec.nets[0]", "203.0.113.7/24", "203.0.113.0/24");
        Assert.Equal(["203.0.113.0/24", "198.51.100.7/32"], Assert.Single(result.Cluster.NetworkSets).Nets.Select(n => n.ToString()));
    }

    [Theory]
    [InlineData("nets")]
    [InlineData("notNets")]
    public void CalicoRuleNets_WithHostBits_AreRefused_AsCalicoRefusesThem(string field)
    {
        var result = new ManifestLoader().LoadText($"apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {{name: p}}\nspec:\n  selector: all()\n  ingress:\n  - action: Allow\n    source:\n      {field}: [10.0.0.1/8]\n", "p.yaml");

        var e = Assert.Single(result.Errors);
        Assert.Equal($"spec.ingress[0].source.{field}[0]", e.Path);
        Assert.Equal("\"10.0.0.1/8\" has host bits set, which Calico refuses in a rule; write the network 10.0.0.0/8", e.Message);
    }
}
