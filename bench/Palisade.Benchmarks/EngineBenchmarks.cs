using BenchmarkDotNet.Attributes;
using Palisade.Bench;
using Palisade.Engine.Calculation;
using Palisade.Engine.Evaluation;
using Palisade.Engine.Explain;
using Palisade.Model;
using Palisade.Model.Cluster;

namespace Palisade.Benchmarks;

/// <summary>
/// The engine's hot paths on a 10k-endpoint mixed cluster: a verdict on the fast path (baseline: the same flow explained
/// in full, every step, as <c>check</c> answers it), and one incremental update (a pod relabelled and back).
/// </summary>
[MemoryDiagnoser]
public class EngineBenchmarks
{
    private CalculationEngine engine = null!;
    private FlowExplainer explainer = null!;
    private int[] sources = [];
    private int[] destinations = [];
    private Flow[] flows = [];
    private Workload relabelled = null!;
    private Workload original = null!;
    private int next;

    [GlobalSetup]
    public void Setup()
    {
        var cluster = SyntheticCluster.Generate("mixed", 10_000, 1_000, seed: 7);
        var snapshot = cluster.Snapshot();
        var model = cluster.Model();
        engine = CalculationEngine.Build(snapshot, model);
        explainer = new FlowExplainer(snapshot, model);
        var random = new Random(7);
        var workloads = snapshot.Workloads;
        sources = new int[1024];
        destinations = new int[1024];
        flows = new Flow[1024];
        for (var i = 0; i < 1024; i++)
        {
            var a = workloads[random.Next(workloads.Length)];
            var b = workloads[random.Next(workloads.Length)];
            sources[i] = engine.EndpointHandle(a.Id);
            destinations[i] = engine.EndpointHandle(b.Id);
            flows[i] = new Flow(FlowEnd.Of(a), FlowEnd.Of(b), Protocol.Tcp, 8080);
        }

        original = workloads[42];
        relabelled = original with { Labels = original.Labels.With("version", "canary") };
    }

    [Benchmark(Baseline = true)]
    public bool ExplainedVerdict()
    {
        var i = next++ & 1023;
        return explainer.Explain(flows[i]).Allowed;
    }

    [Benchmark]
    public bool FastVerdict()
    {
        var i = next++ & 1023;
        return engine.Evaluate(sources[i], destinations[i], Protocol.Tcp, 8080).Allowed;
    }

    [Benchmark]
    public int IncrementalRelabel()
    {
        engine.UpsertWorkload(relabelled);
        engine.Flush();
        engine.UpsertWorkload(original);
        engine.Flush();
        return engine.IdentityCount;
    }
}
