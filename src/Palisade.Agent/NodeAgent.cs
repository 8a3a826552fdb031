using System.Globalization;
using Microsoft.Extensions.Logging;
using Palisade.Agent.Logging;
using Palisade.Agent.Sources;
using Palisade.Dataplane.Nftables;
using Palisade.Engine.Calculation;
using Palisade.Linux;

namespace Palisade.Agent;

/// <summary>
/// The per-node agent, wiring its parts: a source of desired states (<see cref="IDesiredStateSource"/>) feeds the
/// engine their differences (<see cref="StateSync"/>); the <see cref="TransactionPlanner"/> renders the node's table and
/// diffs it against what was last written; an <see cref="IRulesetApplier"/> hands the transaction to the kernel; the
/// <see cref="ConntrackRevoker"/> cuts what a change revoked; the <see cref="FlowRecordWriter"/> names every new
/// connection the ruleset logs. A transaction the kernel refuses (its table is not what the agent wrote) is followed by
/// a full resync, never an exit. Killing the agent leaves the rules in force; a new agent replaces them atomically.
/// <code>
/// source ──states──▶ StateSync ──updates──▶ engine ──▶ TransactionPlanner ──tx──▶ applier ──▶ kernel
///                                                                                   └──▶ ConntrackRevoker
/// kernel NFLOG ──packets──▶ FlowRecordWriter ──JSON lines──▶ flows
/// </code>
/// </summary>
public sealed partial class NodeAgent : IDisposable
{
    /// <summary>The longest wait between tries of a full reload the kernel refused too.</summary>
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(30);

    private readonly AgentOptions options;
    private readonly IDesiredStateSource source;
    private readonly IRulesetApplier applier;
    private readonly ConntrackRevoker revoker;
    private readonly FlowRecordWriter flows;
    private readonly ILogger<NodeAgent> logger;
    private readonly TimeProvider time;
    private readonly bool readFlows;
    private readonly CalculationEngine engine = new();
    private readonly StateSync sync;
    private readonly RuleCatalog catalog = new();
    private readonly TransactionPlanner planner;
    private int generations;
    private int resyncs;

    /// <summary>An agent on the kernel: manifests from files, nftables in the node's namespace, flow records to <paramref name="flowRecords"/>.</summary>
    public NodeAgent(AgentOptions options, TextWriter flowRecords, ILoggerFactory loggers, TimeProvider? time = null)
        : this(options, Source(options, loggers, time), new NftablesApplier(options.NetworkNamespace),
            new ConntrackRevoker(options.NetworkNamespace, loggers.CreateLogger<ConntrackRevoker>()), flowRecords, loggers, time, readFlows: true)
    {
    }

    /// <summary>An agent on the kernel that reports on a writer, one line per message.</summary>
    public NodeAgent(AgentOptions options, TextWriter flowRecords, TextWriter log)
        : this(options, flowRecords, new TextWriterLoggerFactory(log, "palisade agent"))
    {
    }

    /// <summary>An agent of the given parts; without <paramref name="readFlows"/> it reads no packets from the kernel.</summary>
    internal NodeAgent(AgentOptions options, IDesiredStateSource source, IRulesetApplier applier, ConntrackRevoker revoker, TextWriter flowRecords,
        ILoggerFactory loggers, TimeProvider? time, bool readFlows)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggers);
        this.options = options;
        this.source = source;
        this.applier = applier;
        this.revoker = revoker;
        this.readFlows = readFlows;
        this.time = time ?? TimeProvider.System;
        logger = loggers.CreateLogger<NodeAgent>();
        flows = new FlowRecordWriter(options.Node, catalog, flowRecords);
        sync = new StateSync(engine);
        planner = new TransactionPlanner(new RulesetRenderer(catalog), (uint)Random.Shared.Next(1, int.MaxValue));
    }

    /// <summary>Number of changes applied to the kernel.</summary>
    public int Generations => Volatile.Read(ref generations);

    /// <summary>Number of full resyncs after a transaction the kernel refused.</summary>
    public int Resyncs => Volatile.Read(ref resyncs);

    /// <summary>The last kernel apply time in milliseconds.</summary>
    public double LastKernelMs { get; private set; }

    /// <summary>The revision of the last desired state the kernel holds.</summary>
    public long Revision { get; private set; }

    /// <summary>Runs until cancelled: enforces the source's first state, then every later one.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        // A change must reach the kernel in milliseconds: prefer background collections to blocking full ones.
        System.Runtime.GCSettings.LatencyMode = System.Runtime.GCLatencyMode.SustainedLowLatency;
        if (readFlows)
        {
            new Thread(() => ReadFlows(cancellationToken)) { IsBackground = true, Name = "flow log reader" }.Start();
        }

        var states = source.WatchAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
        Task<bool>? next = null;
        try
        {
            DesiredState? last = null;
            var retry = options.Poll;
            while (true)
            {
                next ??= states.MoveNextAsync().AsTask();
                if (last is not null && planner.Written is null)
                {
                    // The kernel refused even a full reload: try again now and then until it takes one or a new state comes.
                    var wait = Task.Delay(retry, time, cancellationToken);
                    if (await Task.WhenAny(next, wait).ConfigureAwait(false) == wait)
                    {
                        await wait.ConfigureAwait(false);
                        retry = retry * 2 < MaxRetryDelay ? retry * 2 : MaxRetryDelay;
                        await EnforceAsync(last, cancellationToken).ConfigureAwait(false);
                        continue;
                    }
                }

                if (!await next.ConfigureAwait(false))
                {
                    break;
                }

                next = null;
                last = states.Current;
                retry = options.Poll;
                await EnforceAsync(last, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            if (next is not null)
            {
                try
                {
                    await next.ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }
            }

            await states.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Brings the engine and the kernel to a desired state.</summary>
    private async Task EnforceAsync(DesiredState state, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        sync.Apply(state.Cluster, state.Policies);
        var syncMs = time.GetElapsedTime(started).TotalMilliseconds;
        flows.Workloads(state.Cluster);
        var rendering = time.GetTimestamp();
        var planned = planner.Plan(engine, options.Locals());
        var renderMs = time.GetElapsedTime(rendering).TotalMilliseconds;
        if (planned is null)
        {
            Revision = state.Revision;
            return;
        }

        if (await ApplyAsync(planned, cancellationToken).ConfigureAwait(false) is not { } applied)
        {
            return;
        }

        Revision = state.Revision;
        var count = Interlocked.Increment(ref generations);
        var since = state.ChangedAt is { } at ? string.Create(CultureInfo.InvariantCulture, $"file event {(time.GetUtcNow() - at).TotalMilliseconds:F1} ms before, ") : string.Empty;
        LogApplied(options.Node, count, sync.LastUpdates, since, syncMs, renderMs, LastKernelMs, applied.CommandCount, applied.FullReload ? " (full reload)" : string.Empty);
        revoker.Request();
    }

    /// <summary>
    /// Hands a transaction to the kernel; a diff it refuses is followed by a full reload of Palisade's table. Returns
    /// what the kernel took, or null when it took nothing (the rules in force stay; the next try reloads in full).
    /// </summary>
    private async Task<PlannedTransaction?> ApplyAsync(PlannedTransaction planned, CancellationToken cancellationToken)
    {
        try
        {
            LastKernelMs = (await applier.ApplyAsync(planned.Commands, cancellationToken).ConfigureAwait(false)).TotalMilliseconds;
            planner.Committed(planned);
            return planned;
        }
        catch (NftablesException refused) when (!planned.FullReload)
        {
            // The kernel's table is not what was last written (changed behind the agent's back, or a diff the kernel
            // cannot take): replace it whole, in one transaction, with the whole desired ruleset.
            var count = Interlocked.Increment(ref resyncs);
            LogRefused(options.Node, count, refused.Message);
            var full = TransactionPlanner.FullReload(planned);
            if (await ApplyAsync(full, cancellationToken).ConfigureAwait(false) is { } reloaded)
            {
                flows.WriteStatus(time.GetUtcNow(), "resynced", refused.Message, count);
                return reloaded;
            }

            flows.WriteStatus(time.GetUtcNow(), "resync failed", refused.Message, count);
            return null;
        }
        catch (NftablesException refused)
        {
            planner.Lost();
            LogReloadRefused(options.Node, refused.Message);
            return null;
        }
    }

    private void ReadFlows(CancellationToken cancellationToken)
    {
        try
        {
            if (options.NetworkNamespace is { } ns)
            {
                NetworkNamespace.Enter(ns);
            }

            using var reader = new FlowLogReader(RulesetRenderer.FlowLogGroup);
            reader.Run(flows.Write, cancellationToken);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException)
        {
            LogFlowsOff(e.Message);
        }
    }

    public void Dispose()
    {
        applier.Dispose();
        (source as IDisposable)?.Dispose();
    }

    /// <summary>The source the options name: an API server when they give a kubeconfig, else the manifest files.</summary>
    private static IDesiredStateSource Source(AgentOptions options, ILoggerFactory loggers, TimeProvider? time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggers);
        return options.Kubeconfig is { } kubeconfig
            ? new ServerStateSource(Palisade.Client.ApiClient.FromKubeconfig(kubeconfig, options.KubeContext), loggers.CreateLogger<ServerStateSource>(), time ?? TimeProvider.System)
            : new FileStateSource(options, loggers.CreateLogger<FileStateSource>(), time ?? TimeProvider.System);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "node {Node}: generation {Generation}: {Updates} updates, {SinceChange}sync {SyncMs:F1} ms, render {RenderMs:F1} ms, kernel {KernelMs:F2} ms, {Commands} commands{Full}")]
    private partial void LogApplied(string node, int generation, int updates, string sinceChange, double syncMs, double renderMs, double kernelMs, int commands, string full);

    [LoggerMessage(Level = LogLevel.Warning, Message = "node {Node}: the kernel refused a transaction ({Reason}); resync {Count}: reloading Palisade's whole table")]
    private partial void LogRefused(string node, int count, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "node {Node}: the kernel refused a full reload of Palisade's table ({Reason}); the rules in force stay, the agent tries again")]
    private partial void LogReloadRefused(string node, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "flow records are off: {Reason}")]
    private partial void LogFlowsOff(string reason);
}
