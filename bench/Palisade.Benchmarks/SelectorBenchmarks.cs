using BenchmarkDotNet.Attributes;
using Palisade.Model;
using Palisade.Model.Selectors;

namespace Palisade.Benchmarks;

/// <summary>Selector evaluation, the innermost loop of policy resolution: must not allocate.</summary>
[MemoryDiagnoser]
public class SelectorBenchmarks
{
    private readonly LabelSet labels = LabelSet.Of("app", "checkout", "tier", "backend", "pci", "true", "region", "eu", "version", "v2");
    private readonly Selector simple = Selector.Parse("app == 'checkout'");
    private readonly Selector complex = Selector.Parse("tier in {'backend', 'data'} && has(pci) && region != 'us' && !(version starts with 'v1')");

    [Benchmark(Baseline = true)]
    public bool Simple() => simple.Matches(labels);

    [Benchmark]
    public bool Complex() => complex.Matches(labels);
}
