using System.Collections.Immutable;
using System.Net;
using Palisade.Dataplane.Nftables.Model;
using Palisade.Dataplane.Nftables.Tracing;
using static Palisade.Dataplane.Nftables.Model.NftStatements;

namespace Palisade.Dataplane.Nftables.Tests.Tracing;

/// <summary>The tracer walks chains as nf_tables does: jumps come back, gotos do not, a verdict-map miss goes on, fields a packet lacks match nothing.</summary>
public sealed class PacketTracerTests
{
    private static readonly IPAddress Pod = IPAddress.Parse("10.0.0.1");
    private static readonly IPAddress Other = IPAddress.Parse("10.0.9.9");

    private static NftTable Table(params NftChain[] chains) => new("inet", "t",
        ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, new Dictionary<string, NftSet>
        {
            ["ifs"] = new NftSet("ifs", [NftType.IfName], [new NftElement(new NftString("in0"), NftVerdict.Jump("marker"))]) { IsMap = true },
            ["ports"] = new NftSet("ports", [NftType.Ipv4Addr, NftType.InetProto, NftType.InetService],
                [new NftElement(new NftConcat([new NftAddress(Other), new NftProtocol(6), new NftInteger(8080)]))]),
            ["nets"] = new NftSet("nets", [NftType.Ipv4Addr], [new NftElement(new NftPrefix(IPNetwork.Parse("10.0.0.0/24")))]) { Interval = true },
        }),
        ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, chains.ToDictionary(c => c.Name)));

    private static NftChain Base(params NftRule[] rules) => new("base", [.. rules]) { Hook = new NftHook(NftHookPoint.Forward, Policy: NftVerdictKind.Drop) };

    private static readonly NftChain Marker = new("marker", [Rule(SetMark(0x1)), Rule(NftVerdict.Return), Rule(SetMark(0x2))]);

    private static TracedPacket Tcp(string iif, int port) => new(iif, "out0", Pod, Other, 6, 40000, port);

    [Fact]
    public void Jump_ComesBack_AndAMaskedMarkMatchSeesWhatTheJumpedChainSet()
    {
        var tracer = new PacketTracer(Table(Marker, Base(Rule(NftVerdict.Jump("marker")), Rule(MarkAllows, NftVerdict.Accept))));

        var trace = tracer.Trace(NftHookPoint.Forward, Tcp("in0", 80) with { Mark = 0x100 });

        Assert.Equal(NftVerdict.Accept, trace.Verdict);
        Assert.Equal(("base", 1), (trace.DecidedBy!.Chain, trace.DecidedBy.Index));
        Assert.Equal(0x1u, trace.Mark);
        Assert.Equal(["base", "marker", "marker", "base"], trace.Path.Select(s => s.Chain));
    }

    [Fact]
    public void Goto_DoesNotComeBack_ItsReturnEndsTheBaseChainWithItsPolicy()
    {
        var tracer = new PacketTracer(Table(Marker, Base(Rule(NftVerdict.Goto("marker")), Rule(NftVerdict.Accept))));

        var trace = tracer.Trace(NftHookPoint.Forward, Tcp("in0", 80));

        Assert.Equal(NftVerdict.Drop, trace.Verdict);
        Assert.Null(trace.DecidedBy);
    }

    [Fact]
    public void VerdictMap_JumpsOnAHit_AndGoesOnToTheNextRuleOnAMiss()
    {
        var tracer = new PacketTracer(Table(Marker, Base(Rule(new NftVerdictMap(NftField.IifName, "ifs")), Rule(MarkAllows, NftVerdict.Accept))));

        Assert.True(tracer.Trace(NftHookPoint.Forward, Tcp("in0", 80)).Accepted);
        Assert.False(tracer.Trace(NftHookPoint.Forward, Tcp("in1", 80)).Accepted);
    }

    [Fact]
    public void ConcatenatedSetLookup_MatchesTheWholeKey()
    {
        var tracer = new PacketTracer(Table(Base(Rule(new NftMatch([NftField.IpDaddr, NftField.L4Proto, NftField.DestinationPort], new NftSetRef("ports")), NftVerdict.Accept))));

        Assert.True(tracer.Trace(NftHookPoint.Forward, Tcp("in0", 8080)).Accepted);
        Assert.False(tracer.Trace(NftHookPoint.Forward, Tcp("in0", 8081)).Accepted);
        Assert.False(tracer.Trace(NftHookPoint.Forward, Tcp("in0", 8080) with { Protocol = 17 }).Accepted);
    }

    [Fact]
    public void IntervalSetAndRange_HoldWhatFallsInThem_AndNegationInverts()
    {
        var tracer = new PacketTracer(Table(Base(
            Rule(new NftMatch(NftField.IpSaddr, new NftSetRef("nets"), negated: true), NftVerdict.Drop),
            Rule(new NftMatch(NftField.DestinationPort, new NftAnonymousSet([new NftInteger(22), new NftRange(8000, 8100)])), NftVerdict.Accept))));

        Assert.True(tracer.Trace(NftHookPoint.Forward, Tcp("in0", 8080)).Accepted);
        Assert.False(tracer.Trace(NftHookPoint.Forward, Tcp("in0", 8101)).Accepted);
        Assert.False(tracer.Trace(NftHookPoint.Forward, Tcp("in0", 8080) with { Source = Other }).Accepted);
    }

    [Fact]
    public void FieldThePacketLacks_MatchesNeitherWayNorNegated()
    {
        var tracer = new PacketTracer(Table(Base(
            Rule(new NftMatch(NftField.Ip6Saddr, new NftPrefix(IPNetwork.Parse("fe80::/10")), negated: true), NftVerdict.Accept),
            Rule(new NftMatch(NftField.DestinationPort, new NftInteger(0), negated: true), NftVerdict.Accept))));

        var icmp = new TracedPacket("in0", "out0", Pod, Other, 1) { IcmpType = 8 };

        Assert.False(tracer.Trace(NftHookPoint.Forward, icmp).Accepted);
        Assert.True(tracer.Trace(NftHookPoint.Forward, Tcp("in0", 80)).Accepted);
    }

    [Fact]
    public void Logs_AreRecordedWithTheMarkAtTheirPlace_AndCtMarkIsSet()
    {
        var tracer = new PacketTracer(Table(Base(
            Rule(SetMark(0x305), new NftLog(1, "pal:allow")),
            Rule(new NftSetMark(NftField.CtMark, new NftInteger(9, NftIntegerFormat.Hex8)), NftVerdict.Accept))));

        var trace = tracer.Trace(NftHookPoint.Forward, Tcp("in0", 80));

        Assert.Equal([new TracedLog(1, "pal:allow", 0x305)], trace.Logs);
        Assert.Equal(9u, trace.CtMark);
    }
}
