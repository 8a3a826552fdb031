using System.Net;
using Palisade.Engine.Calculation;
using Palisade.Model;

namespace Palisade.Engine.Tests.Calculation;

/// <summary>
/// The fast path allocates nothing: once every flow has been judged one time (code compiled, scratch arrays grown,
/// caches filled), judging them all again, one at a time and in batches, allocates no byte on this thread.
/// </summary>
public sealed class VerdictAllocationTests
{
    private static readonly (int Port, Protocol Protocol)[] Ports = [(80, Protocol.Tcp), (443, Protocol.Tcp), (5432, Protocol.Tcp), (8080, Protocol.Tcp), (53, Protocol.Udp), (80, Protocol.Sctp)];
    private static readonly IPAddress[] Outside = [IPAddress.Parse("192.0.2.3"), IPAddress.Parse("10.9.0.1"), IPAddress.Parse("fd00::3")];

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(16)]
    [InlineData(49)]
    public void JudgingFlowsAgain_AllocatesNothing(int seed)
    {
        // The options of the equivalence tests: odd seeds index every tier program, seeds with bit 2 build programs in
        // chunks of one to four rules, bit 16 turns the batch prefetching off and bit 32 leaves the engine unpacked.
        var world = new RandomWorld(seed);
        var options = IncrementalEquivalenceTests.Options(seed);
        var engine = CalculationEngine.Build(world.Snapshot(), world.Model(), options);
        var handles = world.Snapshot().Workloads.Select(w => engine.EndpointHandle(w.Id)).Append(-1).ToArray();
        var sources = (from f in handles from t in handles select f).ToArray();
        var destinations = (from f in handles from t in handles select t).ToArray();
        var results = new FastVerdict[sources.Length];
        var ports = new int[sources.Length];
        var allowed = 0;

        void JudgeAll()
        {
            foreach (var (port, protocol) in Ports)
            {
                for (var i = 0; i < sources.Length; i++)
                {
                    allowed += engine.Evaluate(sources[i], destinations[i], protocol, port).Allowed ? 1 : 0;
                }

                Array.Fill(ports, port);
                engine.Evaluate(sources, destinations, ports, protocol, results);
            }

            foreach (var h in handles)
            {
                foreach (var address in Outside)
                {
                    allowed += engine.Evaluate(h, null, -1, address, Protocol.Tcp, 443).Allowed ? 1 : 0;
                    allowed += engine.Evaluate(-1, address, h, null, Protocol.Tcp, 80).Allowed ? 1 : 0;
                }
            }
        }

        JudgeAll();
        var first = allowed;
        var before = GC.GetAllocatedBytesForCurrentThread();
        JudgeAll();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);

        // The second pass judged the same flows the same way (the passes are not empty).
        Assert.Equal(2 * first, allowed);
        Assert.True(first > 0);
    }
}
