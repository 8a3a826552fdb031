using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Palisade.Bench;
using Palisade.Cli.Output;
using Palisade.Linux;

namespace Palisade.Cli.Commands;

/// <summary><c>palisade bench</c>: measurements of Palisade's parts on this machine, as ratios against baselines of the same run.</summary>
internal static class BenchCommand
{
    public static Command Create(CliContext context)
    {
        var bench = new Command("bench", "Measure Palisade's parts on this machine (engine, data plane), against baselines measured in the same run.");
        bench.Subcommands.Add(Engine(context));
        bench.Subcommands.Add(Dataplane(context));
        return bench;
    }

    private static Command Dataplane(CliContext context)
    {
        var rules = new Option<int>("--rules") { Description = "Rules in force (Palisade's rendering and the naive list alike).", DefaultValueFactory = _ => 10_000 };
        var seconds = new Option<double>("--seconds") { Description = "Seconds of load per scenario and round.", DefaultValueFactory = _ => 2 };
        var concurrency = new Option<int>("--concurrency") { Description = "Concurrent connection loops.", DefaultValueFactory = _ => 32 };
        var changes = new Option<int>("--changes") { Description = "Policy changes for the agent measurements (0 to skip).", DefaultValueFactory = _ => 20 };
        var restarts = new Option<int>("--restarts") { Description = "Times to kill -9 and restart an agent process under about 100 new connections/s (0 to skip).", DefaultValueFactory = _ => 20 };
        var handshakesOnly = new Option<bool>("--handshakes-only") { Description = "Measure only handshakes per second (admission capacity), --rounds times round: quick enough to compare rulesets." };
        var rounds = new Option<int>("--rounds") { Description = "Rounds of the handshakes-only measurement (the best counts).", DefaultValueFactory = _ => 3 };
        var rulesets = new Option<string[]>("--ruleset") { Description = "With --handshakes-only: another ruleset to measure, NAME=FILE (an nft script loaded into the router after its ruleset is flushed).", AllowMultipleArgumentsPerToken = false };
        var save = new Option<string?>("--save-rulesets") { Description = "With --handshakes-only: write each measured ruleset as DIR/NAME.nft (to derive variants from)." };
        var output = CommonOptions.Output("table", "json");
        var command = new Command("dataplane", """
            Measure the nftables data plane between two network namespaces through a router namespace that holds the
            ruleset (needs root; nothing touches the machine's own namespace). In the same run, three times round: new
            connections per second and connect latency with no ruleset, with conntrack only, with Palisade's rendering
            of a policy set of --rules rules, and with the same policy as a naive linear rule list. New connections are
            counted two ways, --seconds each: full connections (a client process connects and resets, so the client's
            and the server's user-space work is part of the rate: connections_per_second) and handshakes (raw SYNs from
            the client's address on one thread per core, counted as the SYN-ACKs the router forwards back; the client's
            kernel resets each, so every SYN is a new connection to the ruleset: handshakes_per_second, the data
            plane's admission capacity). Connect latency is timed one blocking connect at a time on a thread of its own
            (1000 connects; p50 and p99, the best of the three rounds). Then first-packet latency as a selector set grows
            from 100 to 100k members, paired with no ruleset: the topology has a twin chain (same addresses, a router
            with no ruleset), and connects alternate between the two, so that both sides meet the machine's noise alike
            (3000 pairs per size, three times round, pooled: first_packet_by_set_size, with p50 and p99 deltas); measured
            the same way: conntrack only against no ruleset (first_packet_conntrack_only), Palisade against conntrack
            only (first_packet_vs_conntrack) and no ruleset against itself, the method's own noise
            (first_packet_none_vs_none); then, with the agent on a 1k-pod, 1k-policy cluster:
            manifest change to first permitted connection, kernel apply time, and revocation of an established
            connection (after 5 warm-up changes, whose slowest times are reported apart); last, an agent process killed with SIGKILL and restarted --restarts times while a loop opens about
            100 new connections a second: allowed connections that failed and denied ones that got through are counted.

            Examples:
              sudo palisade bench dataplane -o json
              sudo palisade bench dataplane --rules 10000 --seconds 3 --changes 50 --restarts 20 -o json
              sudo palisade bench dataplane --handshakes-only --save-rulesets /tmp/rulesets -o json
              sudo palisade bench dataplane --handshakes-only --ruleset variant=/tmp/variant.nft -o json
            """)
        {
            rules, seconds, concurrency, changes, restarts, handshakesOnly, rounds, rulesets, save, output,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            KernelCheck.Require("palisade bench dataplane", KernelNeeds.Agent | KernelNeeds.Nft);
            if (parse.GetValue(handshakesOnly))
            {
                var extra = (parse.GetValue(rulesets) ?? []).Select(ReadRuleset).ToList();
                var handshakes = HandshakeBench.Run(parse.GetValue(rules), parse.GetValue(seconds), Math.Max(1, parse.GetValue(rounds)), extra, parse.GetValue(save),
                    s => context.Error.WriteLine($"bench: {s}"), cancellationToken);
                var json = JsonSerializer.SerializeToElement(handshakes, BenchJson.Options);
                if (CommonOptions.ParseFormat(parse.GetValue(output)!) == OutputFormat.Json)
                {
                    context.Out.WriteLine(JsonSerializer.Serialize(handshakes, BenchJson.Options));
                }
                else
                {
                    WriteTable(context, json);
                }

                return ExitCodes.Ok;
            }

            var result = await DataplaneBench.RunAsync(parse.GetValue(rules), parse.GetValue(seconds), parse.GetValue(concurrency), parse.GetValue(changes),
                parse.GetValue(restarts), SelfCommand.StartInfo, s => context.Error.WriteLine($"bench: {s}"), cancellationToken).ConfigureAwait(false);
            if (CommonOptions.ParseFormat(parse.GetValue(output)!) == OutputFormat.Json)
            {
                context.Out.WriteLine(JsonSerializer.Serialize(result, BenchJson.Options));
            }
            else
            {
                WriteTable(context, JsonSerializer.SerializeToElement(result, BenchJson.Options));
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>A <c>--ruleset NAME=FILE</c> value: the name and the script in the file.</summary>
    private static (string Name, string Script) ReadRuleset(string value)
    {
        var eq = value.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0 || eq == value.Length - 1)
        {
            throw new UsageException($"--ruleset: expected NAME=FILE, got '{value}'");
        }

        var file = value[(eq + 1)..];
        if (!File.Exists(file))
        {
            throw new UsageException($"--ruleset {value[..eq]}: no file {file}");
        }

        return (value[..eq], File.ReadAllText(file));
    }

    private static Command Engine(CliContext context)
    {
        var endpoints = new Option<int>("--endpoints") { Description = "Number of endpoints (pods) to generate.", DefaultValueFactory = _ => 1000 };
        var policies = new Option<int>("--policies") { Description = "Number of policies to generate.", DefaultValueFactory = _ => 100 };
        var shape = new Option<string>("--shape")
        {
            Description = "mixed: team namespaces, every policy format; antrea: 4 pods and 3 NetworkPolicies per namespace (Antrea's published scale test); all-select: every policy selects every pod.",
            DefaultValueFactory = _ => "mixed",
        }.AcceptOnlyFromAmong("mixed", "antrea", "all-select");
        var seed = new Option<int>("--seed") { Description = "Seed of the generator (same seed, same cluster and churn).", DefaultValueFactory = _ => 1 };
        var updates = new Option<int>("--updates") { Description = "Incremental updates in the churn stream.", DefaultValueFactory = _ => 10_000 };
        var naive = new Option<int>("--naive-samples") { Description = "From-scratch rebuilds to time on the same churn (default: as many as fit in about 20 s, at least 3).", DefaultValueFactory = _ => -1 };
        var output = CommonOptions.Output("table", "json");
        var command = new Command("engine", """
            Generate a synthetic cluster, build the calculation engine, stream mixed churn through it (pods added,
            removed and relabelled, namespaces relabelled, policies changed) and through a from-scratch rebuild on the
            same states, and count verdicts per second on one core (one flow at a time and in batches, over the same
            64k random pairs; five rounds of each, interleaved, the best counting). The first 500 updates are warm-up
            (code run for the first time): applied and timed apart, their slowest time reported as warmup_update_max_us.
            Garbage collections during the timed stream are counted (churn_collections, churn_gc_pause_ms), with the
            updates they fell in and the p99 of the others (incremental_update_p99_without_collection_us); by kind of
            update, the count (updates_by_kind) and the p99 with and without them.

            Examples:
              palisade bench engine --endpoints 100000 --policies 10000 -o json
              palisade bench engine --shape antrea --endpoints 100000 --policies 75000 -o json
              palisade bench engine --shape all-select --endpoints 10000 --policies 10000 -o json
            """)
        {
            endpoints, policies, shape, seed, updates, naive, output,
        };
        command.SetAction(parse =>
        {
            var n = parse.GetValue(endpoints);
            var m = parse.GetValue(policies);
            if (n < 1 || m < 0 || parse.GetValue(updates) < 1)
            {
                throw new UsageException("--endpoints and --updates must be at least 1, --policies at least 0");
            }

            var samples = parse.GetValue(naive);
            if (samples < 0)
            {
                // About 20 s of rebuilds: a rebuild costs roughly 15 µs per endpoint and policy.
                samples = Math.Clamp((int)(20_000_000 / Math.Max(1.0, 15.0 * (n + m))), 3, 200);
            }

            var result = EngineBench.Run(parse.GetValue(shape)!, n, m, parse.GetValue(seed), parse.GetValue(updates), samples, s => context.Error.WriteLine($"bench: {s}"));
            if (CommonOptions.ParseFormat(parse.GetValue(output)!) == OutputFormat.Json)
            {
                context.Out.WriteLine(JsonSerializer.Serialize(result, BenchJson.Options));
            }
            else
            {
                WriteTable(context, JsonSerializer.SerializeToElement(result, BenchJson.Options));
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>
    /// A bench result as a table of measures, one value a row: nested measures (by scenario, by set size, by kind) are
    /// named by their path, such as <c>connections_per_second.none</c>, <c>first_packet_by_set_size.1000.p99_delta_us</c>
    /// or, in a list, <c>verdict_rounds[0].single</c>.
    /// </summary>
    private static void WriteTable(CliContext context, JsonElement result)
    {
        var table = new TableWriter("Measure", "Value");
        void Add(string name, JsonElement value)
        {
            if (value.ValueKind == JsonValueKind.Object)
            {
                foreach (var p in value.EnumerateObject())
                {
                    Add($"{name}.{p.Name}", p.Value);
                }
            }
            else if (value.ValueKind == JsonValueKind.Array)
            {
                var i = 0;
                foreach (var item in value.EnumerateArray())
                {
                    Add($"{name}[{i++}]", item);
                }
            }
            else
            {
                table.Add(name, value.ToString());
            }
        }

        foreach (var p in result.EnumerateObject())
        {
            Add(p.Name, p.Value);
        }

        table.Write(context);
    }
}
