using System.Globalization;
using System.Net;
using System.Text.Encodings.Web;
using System.Text.Json;
using Palisade.Dataplane.Nftables;
using Palisade.Model.Cluster;

namespace Palisade.Agent;

/// <summary>
/// Writes one JSON line per logged packet, naming both ends (the workloads behind the addresses) and the rule that
/// decided; and a status line when the agent had to do something out of the ordinary (a full resync).
/// </summary>
public sealed class FlowRecordWriter(string node, RuleCatalog catalog, TextWriter output)
{
    private static readonly JsonWriterOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private Dictionary<IPAddress, Workload> byAddress = [];

    /// <summary>The workloads whose names flow records carry, from the state now enforced.</summary>
    public void Workloads(ClusterSnapshot cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var addresses = new Dictionary<IPAddress, Workload>();
        foreach (var w in cluster.Workloads)
        {
            foreach (var a in w.Addresses)
            {
                addresses.TryAdd(a, w);
            }
        }

        Volatile.Write(ref byAddress, addresses);
    }

    /// <summary>The flow record of a packet the ruleset logged (the first of a connection).</summary>
    public void Write(LoggedPacket packet)
    {
        ArgumentNullException.ThrowIfNull(packet);
        var addresses = Volatile.Read(ref byAddress);
        var ruleId = (int)(packet.Mark >> 8);
        var decided = ruleId > 0 ? catalog.Find(ruleId) : null;
        var direction = packet.Prefix == "pal:open" ? "both" : (packet.Mark & 0x4) != 0 ? "ingress" : "egress";
        var verdict = packet.Prefix == "pal:deny" ? "denied" : "allowed";
        WriteLine(w =>
        {
            w.WriteString("time", packet.Time.ToString("O", CultureInfo.InvariantCulture));
            w.WriteString("node", node);
            w.WriteString("direction", direction);
            w.WriteString("verdict", verdict);
            w.WriteString("protocol", new Palisade.Model.Protocol((byte)packet.Protocol).ToString());
            WriteEnd(w, "source", packet.Source, packet.SourcePort, addresses);
            WriteEnd(w, "destination", packet.Destination, packet.DestinationPort, addresses);
            w.WriteStartObject("decidedBy");
            if (decided is not null)
            {
                w.WriteString("tier", decided.Tier);
                if (decided.Policy is not null)
                {
                    w.WriteString("policy", decided.Policy);
                    w.WriteString("rule", decided.Rule);
                }
                else
                {
                    w.WriteString("rule", "end of tier");
                }

                w.WriteString("action", decided.Action.ToString());
            }
            else
            {
                w.WriteString("reason", packet.Prefix == "pal:open" ? "no policy applies (not isolated)" : "every tier passed the flow on");
            }

            w.WriteEndObject();
        });
    }

    /// <summary>A status line: what the agent did (<c>resync</c>), why, and how many times so far.</summary>
    public void WriteStatus(DateTimeOffset time, string status, string reason, int count) => WriteLine(w =>
    {
        w.WriteString("time", time.ToString("O", CultureInfo.InvariantCulture));
        w.WriteString("node", node);
        w.WriteString("status", status);
        w.WriteString("reason", reason);
        w.WriteNumber("count", count);
    });

    private void WriteLine(Action<Utf8JsonWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, Json))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }

        var line = System.Text.Encoding.UTF8.GetString(buffer.ToArray());
        lock (output)
        {
            output.WriteLine(line);
            output.Flush();
        }
    }

    private static void WriteEnd(Utf8JsonWriter w, string property, IPAddress address, int port, Dictionary<IPAddress, Workload> addresses)
    {
        w.WriteStartObject(property);
        w.WriteString("address", address.ToString());
        if (port > 0)
        {
            w.WriteNumber("port", port);
        }

        if (addresses.TryGetValue(address, out var workload))
        {
            w.WriteString("namespace", workload.Namespace);
            w.WriteString("name", workload.Name);
            w.WriteStartObject("labels");
            foreach (var (k, v) in workload.Labels)
            {
                w.WriteString(k, v);
            }

            w.WriteEndObject();
        }

        w.WriteEndObject();
    }
}
