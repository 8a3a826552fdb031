using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Palisade.Bench;
using Palisade.Cli.Output;

namespace Palisade.Cli.Commands;

/// <summary><c>palisade bench</c>: measurements of Palisade's parts on this machine, as ratios against baselines of the same run.</summary>
internal static class BenchCommand
{
    public static Command Create(CliContext context)
    {
        var bench = new Command("bench", "Measure Palisade's parts on this machine (engine), against baselines measured in the same run.");
        bench.Subcommands.Add(Engine(context));
        return bench;
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
            same states, and count verdicts per second on one core.

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
                var table = new TableWriter("Measure", "Value");
                foreach (var (k, v) in JsonSerializer.SerializeToElement(result, BenchJson.Options).EnumerateObject().Select(p => (p.Name, p.Value.ToString())))
                {
                    table.Add(k, v);
                }

                table.Write(context);
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
