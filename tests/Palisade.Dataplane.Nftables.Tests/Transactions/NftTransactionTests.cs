using System.Collections.Immutable;
using Palisade.Dataplane.Nftables.Model;
using Palisade.Dataplane.Nftables.Transactions;

namespace Palisade.Dataplane.Nftables.Tests.Transactions;

/// <summary>A transaction applied in memory refuses what the kernel refuses, so that diff tests without a kernel can fail.</summary>
public sealed class NftTransactionTests
{
    private static readonly NftTable Table = new("inet", "t",
        ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, new Dictionary<string, NftSet>
        {
            ["ifs"] = new NftSet("ifs", [NftType.IfName], [new NftElement(new NftString("a"), NftVerdict.Jump("c"))]) { IsMap = true },
            ["addrs"] = new NftSet("addrs", [NftType.Ipv4Addr], [new NftElement(new NftAddress(System.Net.IPAddress.Parse("10.0.0.1")))]),
        }),
        ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, new Dictionary<string, NftChain>
        {
            ["base"] = new NftChain("base", [new NftRule([new NftVerdictMap(NftField.IifName, "ifs")]), new NftRule([new NftMatch(NftField.IpSaddr, new NftSetRef("addrs")), NftVerdict.Drop])]) { Hook = new NftHook(NftHookPoint.Forward) },
            ["c"] = new NftChain("c", [new NftRule([NftVerdict.Accept])]),
        }));

    public static TheoryData<string, NftCommand> Refused() => new()
    {
        { "still holds", new NftDeleteChain("c") },
        { "no chain", new NftAddRule("nope", new NftRule([NftVerdict.Accept])) },
        { "no chain", new NftAddRule("c", new NftRule([NftVerdict.Jump("nope")])) },
        { "in use", new NftDeleteSet("addrs", IsMap: false) },
        { "already holds", new NftAddElements("ifs", [new NftElement(new NftString("a"), NftVerdict.Jump("base"))]) },
        { "holds no", new NftDeleteElements("addrs", [new NftAddress(System.Net.IPAddress.Parse("10.0.0.2"))]) },
        { "no intervals", new NftAddElements("addrs", [new NftElement(new NftPrefix(System.Net.IPNetwork.Parse("10.0.0.0/8")))]) },
        { "no set", new NftAddElements("nope", [new NftElement(new NftString("x"))]) },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void Command_TheKernelRefuses_IsRefusedInMemory(string reason, NftCommand command)
    {
        var transaction = new NftTransaction("inet", "t", [command]);

        var error = Assert.Throws<NftablesException>(() => transaction.ApplyTo(Table));

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ChainEmptiedAndNoLongerJumpedTo_CanBeDeleted()
    {
        var transaction = new NftTransaction("inet", "t",
            [new NftDeleteElements("ifs", [new NftString("a")]), new NftFlushChain("c"), new NftDeleteChain("c")]);

        var after = transaction.ApplyTo(Table);

        Assert.False(after!.Chains.ContainsKey("c"));
        Assert.Empty(after.Sets["ifs"].Elements);
        Assert.Equal("delete element inet t ifs { \"a\" }\nflush chain inet t c\ndelete chain inet t c\n", transaction.ToString());
    }
}
