using System.CommandLine;
using Palisade.Agent;
using Palisade.Dataplane.Nftables;
using Palisade.Linux;

namespace Palisade.Cli.Commands;

/// <summary><c>palisade agent</c>: enforce the manifests' policies on one node with nftables.</summary>
internal static class AgentCommand
{
    public static Command Create(CliContext context)
    {
        var files = CommonOptions.Files();
        var kubeconfig = CommonOptions.Kubeconfig();
        kubeconfig.Description = "Watch an API server for the desired state (palisade server's DIR/admin.kubeconfig, or a node's credentials) instead of reading -f files. " +
            "A lost connection keeps the rules in force and resumes from the last revision.";
        var kubeContext = CommonOptions.Context();
        var node = new Option<string>("--node") { Description = "The node this agent enforces for (its pods are the local endpoints).", Required = true, HelpName = "NAME" };
        var netns = new Option<string?>("--netns") { Description = "The network namespace of the node (default: the agent's own).", HelpName = "NETNS" };
        var state = new Option<string>("--lab-state")
        {
            Description = "Where the lab records which pods are on which node and their interfaces.",
            DefaultValueFactory = _ => Palisade.Linux.Lab.LabState.DefaultPath,
            HelpName = "PATH",
        };
        var interfaces = new Option<string[]>("--interface")
        {
            Description = "A local pod and its host-side interface, as NS/NAME=IFNAME (instead of the lab state). Repeatable.",
            HelpName = "NS/NAME=IF",
        };
        var flowsOut = new Option<string>("--flows")
        {
            Description = "Where flow records go, as JSON lines: a file, or - for standard output.",
            DefaultValueFactory = _ => "-",
            HelpName = "FILE",
        };
        var command = new Command("agent", """
            Enforce the policies in the manifests on one node, with the kernel's nftables.

            The agent watches the manifests (files and directories), keeps the engine current with what changed, and
            renders the node's pods into one nftables table ("inet palisade") applied as one atomic transaction of only
            the changes, through one long-lived libnftables context. Every change cuts established connections it no
            longer allows. Killing the agent leaves the rules in force; a restarted agent replaces them atomically.
            Every new connection yields a flow record (JSON line) naming both ends and the rule that decided.
            If the kernel refuses a change (Palisade's table was altered behind the agent's back), the agent reloads the
            whole table in one transaction and reports it (a warning, and a "resynced" status line among the flow
            records); it never exits for it. It needs root, conntrack and libnftables (and iproute2 with --netns).

            Examples:
              palisade agent --node node-1 --netns pal-node-1 -f examples/shop
              palisade agent --node node-1 --netns pal-node-1 --kubeconfig data/admin.kubeconfig
              palisade agent --node node-1 -f policies/ --interface x/a=veth1 --flows /var/log/palisade-flows.jsonl
            """)
        {
            files, kubeconfig, kubeContext, node, netns, state, interfaces, flowsOut,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            KernelCheck.Require("palisade agent", parse.GetValue(netns) is null ? KernelNeeds.Agent & ~KernelNeeds.Ip : KernelNeeds.Agent);
            if (parse.GetValue(netns) is { } ns && !File.Exists(Path.Combine("/var/run/netns", ns)))
            {
                throw new UsageException($"--netns {ns}: there is no such network namespace ('ip netns list' shows them; 'palisade lab up' makes pal-node-*)");
            }
            var explicitLocals = new List<RulesetRenderer.LocalEndpoint>();
            foreach (var item in parse.GetValue(interfaces) ?? [])
            {
                var eq = item.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0 || eq == item.Length - 1 || !item[..eq].Contains('/', StringComparison.Ordinal))
                {
                    throw new UsageException($"--interface {item}: expected NS/NAME=IFNAME");
                }

                explicitLocals.Add(new RulesetRenderer.LocalEndpoint(item[..eq], item[(eq + 1)..]));
            }

            var nodeName = parse.GetValue(node)!;
            var locals = explicitLocals.Count > 0 ? () => explicitLocals : LabLocals.For(nodeName, parse.GetValue(state)!);
            var paths = parse.GetValue(files) ?? [];
            if (paths.Length == 0 == (parse.GetValue(kubeconfig) is null))
            {
                throw new UsageException("give the desired state either as -f PATH (manifest files) or as --kubeconfig FILE (an API server), not both and not neither");
            }

            var options = new AgentOptions(paths, nodeName, locals)
            {
                NetworkNamespace = parse.GetValue(netns),
                Kubeconfig = parse.GetValue(kubeconfig),
                KubeContext = parse.GetValue(kubeContext),
            };
            if (options.Kubeconfig is { } kc)
            {
                // Read it now, so a bad kubeconfig is a usage error before anything starts.
                try
                {
                    Palisade.Client.ApiClient.FromKubeconfig(kc, options.KubeContext).Dispose();
                }
                catch (InvalidDataException e)
                {
                    throw new UsageException($"--kubeconfig {e.Message}");
                }
            }

            var target = parse.GetValue(flowsOut)!;
            var flowWriter = target == "-" ? context.Out : new StreamWriter(target, append: true) { AutoFlush = true };
            try
            {
                using var agent = new NodeAgent(options, flowWriter, context.Error);
                await agent.RunAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                if (!ReferenceEquals(flowWriter, context.Out))
                {
                    await flowWriter.DisposeAsync().ConfigureAwait(false);
                }
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
