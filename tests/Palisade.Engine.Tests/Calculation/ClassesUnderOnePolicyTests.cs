using Palisade.Engine.Calculation;
using Palisade.Model;
using Palisade.Model.Cluster;
using Palisade.Model.Policies;
using Palisade.Model.Selectors;

namespace Palisade.Engine.Tests.Calculation;

/// <summary>
/// Two classes under one policy list get their own answers where a rule tells them apart: a rule naming the local end (a
/// Calico destination selector on ingress) or a named port that resolves differently at each. Checked against the fast
/// path's verdict on every pair the report judges.
/// </summary>
public sealed class ClassesUnderOnePolicyTests
{
    private const string Ns = "shop";

    [Fact]
    public void RuleNamingTheLocalEnd_SplitsClassesUnderOnePolicy()
    {
        // One Calico policy over app=store: ingress from the client only to its role=db pods. db and web share the list.
        var db = Pod("db", LabelSet.Of("app", "store", "role", "db"), new ContainerPort("tcp", 5432, Protocol.Tcp));
        var web = Pod("web", LabelSet.Of("app", "store", "role", "web"), new ContainerPort("tcp", 5432, Protocol.Tcp));
        var client = Pod("client", LabelSet.Of("app", "client"));
        var policy = IngressOnStore(calico: true, new EntityMatch { Peers = [new Peer { CalicoScope = true, Namespace = Ns, Selector = Selector.Equal("role", "db") }] });

        // Both orders of the pods, so that either class may be walked first.
        foreach (var order in new[] { new[] { db, web, client }, [web, db, client] })
        {
            var reached = Reached(order, policy, null);
            Assert.Contains(("shop/client", "shop/db", new PortSpec(5432, Protocol.Tcp)), reached);
            Assert.DoesNotContain(("shop/client", "shop/web", new PortSpec(5432, Protocol.Tcp)), reached);
        }
    }

    [Fact]
    public void NamedPort_ResolvesAtEachClassUnderOnePolicy()
    {
        // One policy over app=store, allowing its named port "api" from the client: 8080 at one pod, 9090 at the other.
        var first = Pod("first", LabelSet.Of("app", "store", "shard", "1"), new ContainerPort("api", 8080, Protocol.Tcp));
        var second = Pod("second", LabelSet.Of("app", "store", "shard", "2"), new ContainerPort("api", 9090, Protocol.Tcp));
        var client = Pod("client", LabelSet.Of("app", "client"));
        var policy = IngressOnStore(calico: false, new EntityMatch { Ports = [PortMatch.Named("api", Protocol.Tcp)] });

        // Asked on both ports, every class is judged on each, including the port its "api" is not.
        PortSpec[] ports = [new(8080, Protocol.Tcp), new(9090, Protocol.Tcp)];
        foreach (var order in new[] { new[] { first, second, client }, [second, first, client] })
        {
            var reached = Reached(order, policy, ports);
            Assert.Contains(("shop/client", "shop/first", ports[0]), reached);
            Assert.Contains(("shop/client", "shop/second", ports[1]), reached);
            Assert.DoesNotContain(("shop/client", "shop/first", ports[1]), reached);
            Assert.DoesNotContain(("shop/client", "shop/second", ports[0]), reached);
        }
    }

    /// <summary>A policy over app=store allowing ingress from app=client to <paramref name="local"/> (the rule's local end).</summary>
    private static Policy IngressOnStore(bool calico, EntityMatch local)
    {
        var source = new SourceRef(calico ? "projectcalico.org/v3" : "networking.k8s.io/v1", "NetworkPolicy", Ns, "store");
        var rule = new Rule(
            RuleAction.Allow,
            new EntityMatch { Peers = [new Peer { CalicoScope = calico, Namespace = Ns, Selector = Selector.Equal("app", "client") }] },
            local,
            new RuleOrigin(source, "spec.ingress[0]", 0));
        return new Policy("store", source, new Peer { CalicoScope = calico, Namespace = Ns, Selector = Selector.Equal("app", "store") })
        {
            Namespace = Ns,
            GovernsIngress = true,
            IngressRules = [rule],
        };
    }

    /// <summary>Every (from, to, port) the class report allows, with the fast path's verdict checked to agree on each pair it judges.</summary>
    private static HashSet<(string, string, PortSpec)> Reached(Workload[] pods, Policy policy, IReadOnlyList<PortSpec>? ports)
    {
        var snapshot = new ClusterSnapshot([new NamespaceInfo(Ns, LabelSet.Of(NamespaceInfo.NameLabel, Ns))], pods, []);
        var tier = new Tier(PolicyModel.DefaultTierName, 1_000_000, TierKind.Standard, RuleAction.Deny) { Policies = [policy] };
        var engine = CalculationEngine.Build(snapshot, new PolicyModel([tier]));
        var report = engine.Classes(ports);
        var reached = new HashSet<(string, string, PortSpec)>();
        foreach (var reach in report.Reach)
        {
            foreach (var from in report.Classes[reach.From].Members)
            {
                foreach (var to in reach.To.SelectMany(c => report.Classes[c].Members).Where(to => to != from))
                {
                    reached.Add((from, to, reach.Port));
                }
            }
        }

        foreach (var from in pods)
        {
            foreach (var to in pods.Where(p => p != from))
            {
                // Without ports asked for, a destination is judged on the ports it declares only.
                var declared = report.Classes.Single(c => c.Members.Contains(to.Id)).Ports;
                foreach (var port in report.Ports.Where(p => ports is not null || declared.Contains(p)))
                {
                    var allowed = engine.Evaluate(engine.EndpointHandle(from.Id), engine.EndpointHandle(to.Id), port.Protocol, port.Port).Allowed;
                    Assert.True(allowed == reached.Contains((from.Id, to.Id, port)), $"{from.Id} -> {to.Id} {port}: fast path {(allowed ? "allows" : "denies")}, classes {(allowed ? "do not" : "do")}");
                }
            }
        }

        return reached;
    }

    private static Workload Pod(string name, LabelSet labels, params ContainerPort[] ports) =>
        new(Ns, name, "Pod", labels) { Ports = new(ports) };
}
