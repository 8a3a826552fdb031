using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using Palisade.Cli.Commands;

namespace Palisade.Cli;

/// <summary>The <c>palisade</c> command line: builds the command tree and runs it, mapping errors to exit codes.</summary>
internal static class CliApp
{
    public const string Overview = """
        Palisade: zero-trust microsegmentation for Kubernetes workloads.

        Palisade reads your manifests (Namespaces, Pods, Deployments and other workloads; Kubernetes NetworkPolicy,
        AdminNetworkPolicy, BaselineAdminNetworkPolicy, ClusterNetworkPolicy; Calico v3 tiers and policies),
        compiles every policy into one model, and answers: can A reach B, and which rule decides?

        Examples:
          palisade connectivity -f examples/shop              # every pair of workloads, on their declared ports
          palisade connectivity -f examples/shop -o matrix --port 8080/TCP
          palisade check -f examples/shop --from shop-web/frontend --to shop-api/gateway --port 8080/TCP
          palisade select "tier == 'backend' && has(pci)" -f examples/shop
          palisade lint -f examples/shop -f examples/shop-broken
          palisade diff -f examples/shop --against examples/shop --against examples/shop-next

        Exit codes: 0 ok, 1 denied or findings, 2 bad input.
        """;

    public static RootCommand Build(CliContext context)
    {
        var debug = new Option<bool>("--debug") { Description = "Print stack traces of internal errors.", Recursive = true };
        var root = new RootCommand(Overview)
        {
            ConnectivityCommand.Create(context),
            CheckCommand.Create(context),
            SelectCommand.Create(context),
            LintCommand.Create(context),
            DiffCommand.Create(context),
            BenchCommand.Create(context),
            AgentCommand.Create(context),
            LabCommand.Create(context),
            ServerCommand.Create(context),
            BackupCommand.Create(context),
            RestoreCommand.Create(context),
        };
        root.Options.Add(debug);

        // Subcommand lists show each command's first line; its own --help shows the whole description with examples.
        if (root.Options.OfType<HelpOption>().FirstOrDefault() is { Action: SynchronousCommandLineAction standard } helpOption)
        {
            helpOption.Action = new HelpWriter(standard, context.Out);
        }

        return root;
    }

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, bool isTerminal)
    {
        var context = new CliContext(stdout, stderr, isTerminal);
        var root = Build(context);
        var parse = root.Parse(args);
        var debug = args.Contains("--debug", StringComparer.Ordinal);
        if (parse.Errors.Count > 0 && parse.Action is not HelpWriter)
        {
            foreach (var e in parse.Errors)
            {
                stderr.WriteLine($"error: {e.Message}");
            }

            stderr.WriteLine("Run 'palisade --help' (or 'palisade COMMAND --help') for usage.");
            return ExitCodes.BadInput;
        }

        try
        {
            return parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        }
        catch (UsageException e)
        {
            stderr.WriteLine($"error: {e.Message}");
            return ExitCodes.BadInput;
        }
        catch (Exception e) when (!debug && e is not OutOfMemoryException)
        {
            stderr.WriteLine($"internal error: {e.Message} (run again with --debug for details)");
            return 3;
        }
    }
}
