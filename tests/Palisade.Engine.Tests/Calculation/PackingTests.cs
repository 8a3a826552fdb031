using Palisade.Engine.Calculation;

namespace Palisade.Engine.Tests.Calculation;

/// <summary>
/// After a full load of a large engine the data verdicts read is copied into dense runs (VerdictLayout); the
/// fast path must then read the copies, not the arrays the build left behind, or the packing buys nothing.
/// </summary>
public sealed class PackingTests
{
    [Fact]
    public void AfterLoad_EndpointsReadPackedCopies_AndVerdictsAreUnchanged()
    {
        // Identities that share their peers with another: some worlds must have them, or the sharing is not tested.
        var sharing = 0;
        for (var seed = 0; seed < 12; seed++)
        {
            var world = new RandomWorld(seed);
            var packed = CalculationEngine.Build(world.Snapshot(), world.Model(), new CalculationOptions { PackFromEndpoints = 0, IndexThreshold = (seed & 1) == 0 ? 24 : 0 });
            var plain = CalculationEngine.Build(world.Snapshot(), world.Model(), new CalculationOptions { PackFromEndpoints = int.MaxValue, IndexThreshold = (seed & 1) == 0 ? 24 : 0 });
            Assert.Equal(0, packed.UnpackedReferences());

            // Without packing, every endpoint that has a policy holds programs never packed: the count sees them.
            Assert.True(plain.UnpackedReferences() > 0, $"seed {seed}: an engine built without packing looks packed");

            // Packed or not, identities with the same peer selectors share one array: the engine's blocks, each held
            // as many times as it counts.
            foreach (var engine in new[] { packed, plain })
            {
                var (identities, arrays, sets, blocks, uses) = engine.PeerArrays();
                Assert.Equal((sets, sets, identities), (arrays, blocks, uses));
            }

            sharing += packed.PeerArrays().Identities - packed.PeerArrays().Sets;

            var handles = world.Snapshot().Workloads.Select(w => packed.EndpointHandle(w.Id)).ToArray();
            foreach (var from in handles)
            {
                foreach (var to in handles)
                {
                    Assert.Equal(plain.Evaluate(from, to, Model.Protocol.Tcp, 80), packed.Evaluate(from, to, Model.Protocol.Tcp, 80));
                }
            }
        }

        Assert.True(sharing > 0, "no two identities of any world share their peer selectors");
    }

    [Fact]
    public void UpdatesAfterPacking_KeepStateEqualToFromScratch()
    {
        // Updates after the packing replace some of the packed arrays with new ones; the state stays what a build from
        // scratch gives.
        for (var seed = 0; seed < 12; seed++)
        {
            var world = new RandomWorld(seed);
            var options = new CalculationOptions { PackFromEndpoints = 0 };
            var engine = CalculationEngine.Build(world.Snapshot(), world.Model(), options);
            for (var i = 0; i < 40; i++)
            {
                world.NextUpdate()(engine);
                engine.Flush();
            }

            Assert.Equal(CalculationEngine.Build(world.Snapshot(), world.Model(), options).DescribeState(), engine.DescribeState());

            // Blocks go with their last identity, and identities through churn still share theirs.
            var (identities, arrays, sets, blocks, uses) = engine.PeerArrays();
            Assert.Equal((sets, sets, identities), (arrays, blocks, uses));
        }
    }

    [Fact]
    public void EngineFilledByUpdates_IsPackedByTheFlushThatReachesTheThreshold()
    {
        // An agent may fill its engine from a stream of updates rather than one load: it must be packed all the same,
        // by the first flush after which it holds the threshold's count of endpoints, and not before.
        for (var seed = 0; seed < 6; seed++)
        {
            var world = new RandomWorld(seed);
            var snapshot = world.Snapshot();
            var model = world.Model();
            var threshold = snapshot.Workloads.Length / 2;
            var engine = new CalculationEngine(new CalculationOptions { PackFromEndpoints = threshold });
            foreach (var ns in snapshot.Namespaces)
            {
                engine.UpsertNamespace(ns);
            }

            foreach (var sa in snapshot.ServiceAccounts)
            {
                engine.UpsertServiceAccount(sa);
            }

            foreach (var set in snapshot.NetworkSets)
            {
                engine.UpsertNetworkSet(set);
            }

            foreach (var tier in model.Tiers)
            {
                engine.UpsertTier(tier);
                foreach (var policy in tier.Policies)
                {
                    engine.UpsertPolicy(tier.Name, policy);
                }
            }

            for (var i = 0; i < snapshot.Workloads.Length; i++)
            {
                engine.UpsertWorkload(snapshot.Workloads[i]);
                engine.Flush();
                if (i + 1 == threshold - 1)
                {
                    Assert.True(engine.UnpackedReferences() > 0, $"seed {seed}: packed before the threshold");
                }

                if (i + 1 == threshold)
                {
                    Assert.Equal(0, engine.UnpackedReferences());
                }
            }

            Assert.Equal(CalculationEngine.Build(snapshot, model).DescribeState(), engine.DescribeState());
        }
    }
}
