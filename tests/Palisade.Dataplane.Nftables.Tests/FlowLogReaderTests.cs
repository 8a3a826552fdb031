using System.Diagnostics;

namespace Palisade.Dataplane.Nftables.Tests;

/// <summary>The NFLOG reader binds its group inside the namespace it was created in, and reads logged packets there.</summary>
public sealed class FlowLogReaderTests : IClassFixture<KernelFixture>
{
    private readonly KernelFixture kernel;

    public FlowLogReaderTests(KernelFixture kernel) => this.kernel = kernel;

    [Fact]
    public void Reader_BindsItsGroupInItsNamespace_AndReadsALoggedPacket()
    {
        var packets = new List<LoggedPacket>();
        var bound = NetworkNamespace.Run(kernel.Name, () =>
        {
            using var reader = new FlowLogReader(5);
            var listing = File.ReadAllText("/proc/thread-self/net/netfilter/nfnetlink_log");
            using var nft = new NftablesContext();
            nft.Run("add table inet t\nadd chain inet t out { type filter hook output priority 0; }\nadd rule inet t out ip daddr 127.0.0.9 meta mark set 0x1234 log group 5 prefix \"pal:test\"");
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(3));
            var readerThread = new Thread(() => reader.Run(p => { lock (packets) { packets.Add(p); } cts.Cancel(); }, cts.Token));
            readerThread.Start();
            KernelFixture.Ip("link", "set", "lo", "up");
            using (var udp = new System.Net.Sockets.UdpClient())
            {
                udp.Send([1, 2, 3], 3, "127.0.0.9", 4242);
            }

            readerThread.Join();
            return listing;
        });

        Assert.Contains(" 5 ", " " + bound.Replace('\n', ' '), StringComparison.Ordinal);
        var packet = Assert.Single(packets);
        Assert.Equal("pal:test", packet.Prefix);
        Assert.Equal(0x1234u, packet.Mark);
        Assert.Equal("127.0.0.9", packet.Destination.ToString());
        Assert.Equal(4242, packet.DestinationPort);
        Assert.Equal(17, packet.Protocol);
    }
}
