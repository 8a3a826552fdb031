using System.CommandLine;
using Palisade.Cli.Output;
using Palisade.Engine.Analysis;
using Palisade.Manifests;

namespace Palisade.Cli.Commands;

/// <summary><c>palisade lint</c>: what a reviewer should look at in a policy set.</summary>
internal static class LintCommand
{
    public static Command Create(CliContext context)
    {
        var files = CommonOptions.Files();
        var kubeconfig = CommonOptions.Kubeconfig();
        var kubeContext = CommonOptions.Context();
        var output = CommonOptions.Output("table", "json");
        var failOn = new Option<string>("--fail-on")
        {
            Description = "Exit 1 when a finding is at least this severe: error, warning, or never.",
            DefaultValueFactory = _ => "error",
            HelpName = "SEVERITY",
        }.AcceptOnlyFromAmong("error", "warning", "never");
        var verbose = CommonOptions.Verbose();
        var hostNetwork = CommonOptions.HostNetwork();
        var command = new Command("lint", """
            Review a policy set and report what deserves a second look; errors fail the run.
            Findings: workloads no policy isolates, namespaces without a default deny, rules shadowed by an earlier rule
            of the same or a higher tier (judged on every pair of known workloads, replicas of one workload among
            themselves, and the networks the rules name), AdminNetworkPolicies of equal priority, allow-from-anywhere
            rules, selectors that select nothing, and fields that are ignored for workloads. A shadowed rule whose flows
            all get the opposite outcome is an error; the rest are warnings.

            Examples:
              palisade lint -f examples/shop
              palisade lint -f examples/shop -f examples/shop-broken      # one deliberate mistake per file
              palisade lint -f manifests/ -o json --fail-on warning      # in a CI pipeline
            """)
        {
            files, kubeconfig, kubeContext, output, failOn, verbose, hostNetwork,
        };
        command.SetAction(parse =>
        {
            var ctx = context with { Verbose = parse.GetValue(verbose) };
            if (ManifestInput.Load(ctx, parse.GetValue(files), server: ManifestInput.ReadServer(ctx, parse.GetValue(kubeconfig), parse.GetValue(kubeContext)), printWarnings: false, hostNetworkPods: CommonOptions.ParseHostNetwork(parse.GetValue(hostNetwork))) is not { } loaded)
            {
                return ExitCodes.BadInput;
            }

            var findings = LintAnalyzer.Run(loaded.Cluster, loaded.Policies)
                .Concat(loaded.Warnings.Select(FromWarning))
                .OrderByDescending(f => f.Severity)
                .ThenBy(f => f.Code, StringComparer.Ordinal)
                .ThenBy(f => f.Subject, StringComparer.Ordinal)
                .ToList();
            var errors = findings.Count(f => f.Severity == LintSeverity.Error);
            var warnings = findings.Count(f => f.Severity == LintSeverity.Warning);
            if (CommonOptions.ParseFormat(parse.GetValue(output)!) == OutputFormat.Json)
            {
                JsonOutput.Write(ctx, w =>
                {
                    w.WriteStartObject();
                    w.WriteStartArray("findings");
                    foreach (var f in findings)
                    {
                        w.WriteStartObject();
                        w.WriteString("severity", f.Severity.ToString().ToLowerInvariant());
                        w.WriteString("code", f.Code);
                        w.WriteString("subject", f.Subject);
                        w.WriteString("message", f.Message);
                        if (f.Path is not null)
                        {
                            w.WriteString("path", f.Path);
                        }

                        if (f.Source?.File is { } file)
                        {
                            w.WriteString("file", file);
                            w.WriteNumber("line", f.Source.Line);
                        }

                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                    w.WriteStartObject("summary");
                    w.WriteNumber("errors", errors);
                    w.WriteNumber("warnings", warnings);
                    w.WriteEndObject();
                    w.WriteEndObject();
                });
            }
            else
            {
                var table = new TableWriter("Severity", "Code", "Subject", "Where", "Finding");
                foreach (var f in findings)
                {
                    var style = f.Severity switch { LintSeverity.Error => CellStyle.Bad, LintSeverity.Warning => CellStyle.Plain, _ => CellStyle.Dim };
                    table.Add((f.Severity.ToString().ToLowerInvariant(), style), (f.Code, CellStyle.Plain), (f.Subject, CellStyle.Plain), (f.Source?.Location ?? string.Empty, CellStyle.Dim), (f.Message, CellStyle.Plain));
                }

                table.Write(ctx);
                ctx.Out.WriteLine($"{errors} error{(errors == 1 ? string.Empty : "s")}, {warnings} warning{(warnings == 1 ? string.Empty : "s")}.");
            }

            var threshold = parse.GetValue(failOn);
            var failed = threshold switch
            {
                "warning" => errors + warnings > 0,
                "never" => false,
                _ => errors > 0,
            };
            return failed ? ExitCodes.Findings : ExitCodes.Ok;
        });
        return command;
    }

    private static LintFinding FromWarning(ManifestDiagnostic d) =>
        new(LintSeverity.Warning, d.Message.Contains("host endpoints", StringComparison.Ordinal) || d.Message.Contains("is ignored", StringComparison.Ordinal) ? "ignored-field" : "input-warning",
            d.Object ?? d.File ?? string.Empty, $"{(d.Path is null ? string.Empty : d.Path + ": ")}{d.Message}")
        {
            Source = d.File is null ? null : new Model.SourceRef(string.Empty, string.Empty, null, string.Empty) { File = d.File, Line = d.Line },
            Path = d.Path,
        };
}
