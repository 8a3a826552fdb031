using System.CommandLine;
using Palisade.Cli.Output;
using Palisade.Model.Selectors;

namespace Palisade.Cli.Commands;

/// <summary><c>palisade select</c>: the workloads a selector expression matches.</summary>
internal static class SelectCommand
{
    public static Command Create(CliContext context)
    {
        var selector = new Argument<string>("SELECTOR") { Description = "A selector expression, e.g. \"app == 'web' && has(pci)\"." };
        var files = CommonOptions.Files();
        var kubeconfig = CommonOptions.Kubeconfig();
        var kubeContext = CommonOptions.Context();
        var output = CommonOptions.Output("table", "json");
        var verbose = CommonOptions.Verbose();
        var hostNetwork = CommonOptions.HostNetwork();
        var command = new Command("select", """
            List the workloads whose labels a selector matches.

            The selector language is Calico's:
              key == 'value'   key != 'value'   has(key)   !has(key)
              key in {'a', 'b'}   key not in {'a'}   key contains 's'   key starts with 's'   key ends with 's'
              !expr   expr && expr   expr || expr   (expr)   all()
            Both quote styles work. An invalid selector exits 2 with the position of the problem.

            Examples:
              palisade select "tier == 'backend'" -f examples/shop
              palisade select "has(pci) && region in {'eu', 'de'}" -f examples/shop -o json
            """)
        {
            selector, files, kubeconfig, kubeContext, output, verbose, hostNetwork,
        };
        command.SetAction(parse =>
        {
            var ctx = context with { Verbose = parse.GetValue(verbose) };
            var text = parse.GetValue(selector) ?? string.Empty;
            if (!Selector.TryParse(text, out var parsed, out var error))
            {
                throw new UsageException(error!.Message);
            }

            if (ManifestInput.Load(ctx, parse.GetValue(files), server: ManifestInput.ReadServer(ctx, parse.GetValue(kubeconfig), parse.GetValue(kubeContext)), hostNetworkPods: CommonOptions.ParseHostNetwork(parse.GetValue(hostNetwork))) is not { } loaded)
            {
                return ExitCodes.BadInput;
            }

            var matched = loaded.Cluster.Workloads.Where(w => !w.HostNetwork && parsed.Matches(w.Labels)).ToList();
            if (CommonOptions.ParseFormat(parse.GetValue(output)!) == OutputFormat.Json)
            {
                JsonOutput.Write(ctx, w =>
                {
                    w.WriteStartObject();
                    w.WriteString("selector", parsed.ToString());
                    w.WriteStartArray("workloads");
                    foreach (var m in matched)
                    {
                        w.WriteStringValue(m.Id);
                    }

                    w.WriteEndArray();
                    w.WriteEndObject();
                });
            }
            else
            {
                var table = new TableWriter("Workload", "Kind", "Labels");
                foreach (var m in matched)
                {
                    table.Add(m.Id, m.Kind, m.Labels.ToString());
                }

                table.Write(ctx);
                ctx.Out.WriteLine($"{matched.Count} of {loaded.Cluster.Workloads.Length} workloads match {parsed}.");
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
