using System.Collections.Immutable;
using Palisade.Model;

namespace Palisade.Engine.Calculation;

/// <summary>Endpoints that every policy treats alike: same policies, same selectors, same ports, same address ranges.</summary>
public sealed record EndpointClass(int Id, string Namespace, LabelSet Labels, string ServiceAccount, ImmutableArray<PortSpec> Ports, ImmutableArray<string> Members)
{
    public bool HostNetwork { get; init; }
}

/// <summary>Which destination classes a source class reaches on one port.</summary>
public sealed record ClassReach(int From, PortSpec Port, ImmutableArray<int> To);

/// <summary>All-pairs connectivity answered per class rather than per endpoint pair.</summary>
public sealed record ClassReport(ImmutableArray<EndpointClass> Classes, ImmutableArray<PortSpec> Ports, ImmutableArray<ClassReach> Reach)
{
    /// <summary>The number of endpoint pairs (ordered, distinct endpoints) allowed on each port, summed.</summary>
    public long AllowedPairs
    {
        get
        {
            long total = 0;
            foreach (var r in Reach)
            {
                var from = Classes[r.From].Members.Length;
                foreach (var to in r.To)
                {
                    var members = Classes[to].Members.Length;
                    total += to == r.From ? (long)from * (from - 1) : (long)from * members;
                }
            }

            return total;
        }
    }
}
