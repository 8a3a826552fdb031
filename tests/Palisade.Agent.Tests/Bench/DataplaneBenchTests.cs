using System.Text.Json;
using Palisade.Bench;
using Palisade.Cli.Tests;

namespace Palisade.Agent.Tests.Bench;

/// <summary><c>bench dataplane</c> reports both new-connection measures for every scenario; its SYNs carry valid checksums.</summary>
[Collection("network namespaces")]
public sealed class DataplaneBenchTests
{
    private static readonly string[] Scenarios = ["none", "conntrack", "palisade", "palisade-no-flow-logs", "naive"];

    [Fact]
    public void BenchDataplane_Json_HasFullConnectionAndHandshakeRatesForEveryScenario()
    {
        var (code, stdout, stderr) = CliRunner.Run("bench", "dataplane", "--rules", "100", "--seconds", "0.2", "--changes", "0", "--restarts", "0", "-o", "json");

        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var r = doc.RootElement;
        foreach (var field in new[] { "connections_per_second", "handshakes_per_second", "handshake_syns_sent", "handshake_answered_share" })
        {
            Assert.True(r.TryGetProperty(field, out var byScenario), $"missing {field}");
            foreach (var scenario in Scenarios)
            {
                Assert.True(byScenario.TryGetProperty(scenario, out var value), $"{field} has no {scenario}");
                Assert.True(value.GetDouble() > 0, $"{field}.{scenario} should be positive, got {value}");
            }
        }

        foreach (var field in new[] { "connect_p50_us_by_set_size", "connect_p99_us_by_set_size" })
        {
            Assert.True(r.TryGetProperty(field, out var bySize), $"missing {field}");
            foreach (var size in new[] { "100", "1000", "10000", "100000" })
            {
                Assert.True(bySize.TryGetProperty(size, out var value) && value.GetDouble() > 0, $"{field}.{size} should be a positive latency");
            }
        }

        // First-packet latency, each set size paired with no ruleset (and the other pairings, the same way): both
        // sides sampled alike, the deltas their difference.
        var firstPacket = r.GetProperty("first_packet_by_set_size");
        var pairs = new List<JsonElement>(firstPacket.EnumerateObject().Select(p => p.Value))
        {
            r.GetProperty("first_packet_conntrack_only"), r.GetProperty("first_packet_vs_conntrack"), r.GetProperty("first_packet_none_vs_none"),
        };
        Assert.Equal(["100", "1000", "10000", "100000"], firstPacket.EnumerateObject().Select(p => p.Name));
        foreach (var pair in pairs)
        {
            Assert.True(pair.GetProperty("samples").GetInt32() >= 1500, $"too few paired samples: {pair}");
            foreach (var field in new[] { "ruleset_p50_us", "ruleset_p99_us", "baseline_p50_us", "baseline_p99_us" })
            {
                Assert.True(pair.GetProperty(field).GetDouble() > 0, $"{field} should be a positive latency: {pair}");
            }

            Assert.True(pair.GetProperty("ruleset_p99_us").GetDouble() >= pair.GetProperty("ruleset_p50_us").GetDouble(), pair.ToString());
            Assert.Equal(Math.Round(pair.GetProperty("ruleset_p99_us").GetDouble() - pair.GetProperty("baseline_p99_us").GetDouble(), 1), pair.GetProperty("p99_delta_us").GetDouble(), 1);
            Assert.Equal(Math.Round(pair.GetProperty("ruleset_p50_us").GetDouble() - pair.GetProperty("baseline_p50_us").GetDouble(), 1), pair.GetProperty("p50_delta_us").GetDouble(), 1);
        }

        Assert.Equal(firstPacket.EnumerateObject().Max(p => p.Value.GetProperty("p99_delta_us").GetDouble()), r.GetProperty("first_packet_p99_delta_max_us").GetDouble());

        foreach (var field in new[] { "palisade_vs_none", "palisade_vs_conntrack", "palisade_vs_naive", "handshake_palisade_vs_none", "handshake_palisade_vs_conntrack", "handshake_palisade_vs_naive" })
        {
            Assert.True(r.TryGetProperty(field, out var value), $"missing {field}");
            Assert.True(value.GetDouble() > 0, $"{field} should be positive, got {value}");
        }
    }

    [Fact]
    public void TwinChain_IsApartFromTheBenchChain_AndCarriesTheSameConnections()
    {
        // The paired first-packet measurement compares a ruleset in the bench chain's router with none in the twin's:
        // a drop in one router must stop that chain's connects and leave the other's alone, both ways round.
        using var topology = BenchTopology.Create();
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        using var server = BenchTopology.Listen(8080, echo: false, stop.Token);
        using var twinServer = BenchTopology.Listen(8080, echo: false, stop.Token, BenchTopology.ServerTwin);
        const string Drop = "table inet t {\n chain forward {\n  type filter hook forward priority filter; policy accept;\n  tcp dport 8080 drop\n }\n}\n";
        foreach (var (dropIn, blocked, open) in new[]
        {
            (BenchTopology.Router, BenchTopology.Client, BenchTopology.ClientTwin),
            (BenchTopology.RouterTwin, BenchTopology.ClientTwin, BenchTopology.Client),
        })
        {
            BenchTopology.Run("ip", ["netns", "exec", BenchTopology.Router, "nft", "flush", "ruleset"], null);
            BenchTopology.Run("ip", ["netns", "exec", BenchTopology.RouterTwin, "nft", "flush", "ruleset"], null);
            Assert.True(BenchTopology.TryConnect(8080, 2000, out var before, blocked), $"{blocked} before the drop: {before}");
            BenchTopology.Run("ip", ["netns", "exec", dropIn, "nft", "-f", "-"], Drop);

            Assert.False(BenchTopology.TryConnect(8080, 300, out _, blocked), $"{blocked} connected through a drop in {dropIn}");
            Assert.True(BenchTopology.TryConnect(8080, 2000, out var outcome, open), $"{open} with the drop in {dropIn}: {outcome}");
        }
    }

    [Fact]
    public void TcpChecksum_SynWithMssOption_MatchesReference()
    {
        // 10.99.0.1:10000 -> 10.99.1.1:8080 SYN, MSS 1460; reference computed apart (RFC 793 pseudo-header sum).
        var segment = Convert.FromHexString("27101f9057019210000000006002faf000000000020405b4");

        var checksum = HandshakeGenerator.TcpChecksum([10, 99, 0, 1], [10, 99, 1, 1], segment);

        Assert.Equal(0x57bc, checksum);
    }
}
