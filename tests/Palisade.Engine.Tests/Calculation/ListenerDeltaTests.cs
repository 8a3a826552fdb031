using System.Globalization;
using System.Text;
using Palisade.Engine.Calculation;
using Palisade.Model.Policies;

namespace Palisade.Engine.Tests.Calculation;

/// <summary>
/// What a renderer rebuilds from the engine's deltas alone is the engine's state: a mirror fed only the listener's
/// calls, through a load and random updates, holds each selector's members and each endpoint's ordered policies as the
/// engine describes them, and every add it receives is balanced (no member added twice, none removed that was not
/// there, no delta about a selector that does not exist).
/// </summary>
public sealed class ListenerDeltaTests
{
    [Theory]
    [MemberData(nameof(IncrementalEquivalenceTests.ChurnSeeds), MemberType = typeof(IncrementalEquivalenceTests))]
    public void MirrorFedByDeltas_EqualsTheEngine_AfterRandomUpdates(int seed)
    {
        var world = new RandomWorld(seed);
        var engine = new CalculationEngine(IncrementalEquivalenceTests.Options(seed));
        var mirror = new Mirror();
        engine.Subscribe(mirror);
        engine.Load(world.Snapshot(), world.Model());
        Assert.Equal(Expected(engine), mirror.Describe());
        Assert.NotEmpty(mirror.Members);

        var random = new Random(seed);
        for (var i = 0; i < 300; i++)
        {
            world.NextUpdate()(engine);
            if (random.Next(3) != 0)
            {
                engine.Flush();
                Assert.Equal(Expected(engine), mirror.Describe());
            }
        }

        engine.Flush();
        Assert.Equal(Expected(engine), mirror.Describe());
        Assert.Empty(mirror.Errors);
    }

    /// <summary>The selector lines and each endpoint's policy line of the engine's own description.</summary>
    private static string Expected(CalculationEngine engine)
    {
        var sb = new StringBuilder();
        foreach (var line in engine.DescribeState().Split('\n'))
        {
            if (line.StartsWith("selector ", StringComparison.Ordinal) || line.StartsWith("endpoint ", StringComparison.Ordinal))
            {
                sb.Append(line).Append('\n');
            }
        }

        return sb.ToString();
    }

    /// <summary>State rebuilt from deltas only, strict about their balance.</summary>
    private sealed class Mirror : ICalculationListener
    {
        public Dictionary<int, Peer> Selectors { get; } = [];

        public Dictionary<int, HashSet<string>> Members { get; } = [];

        public Dictionary<int, IReadOnlyList<Policy>> Lists { get; } = [];

        public Dictionary<string, int> EndpointLists { get; } = new(StringComparer.Ordinal);

        public List<string> Errors { get; } = [];

        public void OnSelector(int selector, Peer peer, bool active)
        {
            if (active)
            {
                if (!Selectors.TryAdd(selector, peer))
                {
                    Errors.Add($"selector {selector} activated twice");
                }

                Members[selector] = [];
            }
            else if (!Selectors.Remove(selector) || !Members.Remove(selector, out var left) || left.Count > 0)
            {
                Errors.Add($"selector {selector} removed while absent or with members left");
            }
        }

        public void OnSelectorMember(int selector, string endpoint, bool added)
        {
            if (!Members.TryGetValue(selector, out var members))
            {
                Errors.Add($"member {endpoint} of unknown selector {selector}");
                return;
            }

            if (added ? !members.Add(endpoint) : !members.Remove(endpoint))
            {
                Errors.Add($"{endpoint} {(added ? "added to" : "removed from")} selector {selector} twice");
            }
        }

        public void OnPolicyList(int list, IReadOnlyList<Policy> policies)
        {
            if (policies.Count == 0)
            {
                Lists.Remove(list);
            }
            else
            {
                Lists[list] = [.. policies];
            }
        }

        public void OnEndpointPolicyList(string endpoint, int list) => EndpointLists[endpoint] = list;

        public void OnEndpointRemoved(string endpoint)
        {
            if (!EndpointLists.Remove(endpoint))
            {
                Errors.Add($"endpoint {endpoint} removed twice, or never announced");
            }

            if (Members.Values.Any(m => m.Contains(endpoint)))
            {
                Errors.Add($"endpoint {endpoint} removed while still a selector member");
            }
        }

        /// <summary>The same lines as the engine's description, from the deltas.</summary>
        public string Describe()
        {
            var sb = new StringBuilder();
            foreach (var (id, peer) in Selectors.OrderBy(p => p.Value.ToString(), StringComparer.Ordinal).ThenBy(p => p.Value.CalicoScope))
            {
                sb.Append(CultureInfo.InvariantCulture, $"selector {peer} calico={peer.CalicoScope}: {string.Join(' ', Members[id].Order(StringComparer.Ordinal))}\n");
            }

            foreach (var (endpoint, list) in EndpointLists.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                var policies = list < 0 ? "none" : Lists.TryGetValue(list, out var p) ? string.Join(", ", p.Select(CalculationEngine.PolicyKey)) : $"missing list {list}";
                sb.Append(CultureInfo.InvariantCulture, $"endpoint {endpoint}: {policies}\n");
            }

            return sb.ToString();
        }
    }
}
