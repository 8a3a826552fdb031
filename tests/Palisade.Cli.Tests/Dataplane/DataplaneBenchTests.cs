using System.Text.Json;
using Palisade.Bench;

namespace Palisade.Cli.Tests.Dataplane;

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

        foreach (var field in new[] { "palisade_vs_none", "palisade_vs_conntrack", "palisade_vs_naive", "handshake_palisade_vs_none", "handshake_palisade_vs_conntrack", "handshake_palisade_vs_naive" })
        {
            Assert.True(r.TryGetProperty(field, out var value), $"missing {field}");
            Assert.True(value.GetDouble() > 0, $"{field} should be positive, got {value}");
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
