using Palisade.Model;
using Palisade.Model.Policies;

namespace Palisade.Engine.Calculation;

/// <summary>
/// Compiles a policy's rules for the engine: each peer's identity conditions become a selector index entry (taken
/// through <paramref name="acquireSelector"/>, and counted as a peer through <paramref name="addPeerRef"/>), addresses
/// stay blocks, and rules of the common shape are marked simple for the flat program.
/// </summary>
/// <remarks>
/// Contract: every selector taken is recorded on the policy (<see cref="PolicyState.Matchers"/>, and
/// <see cref="PolicyState.PeerMatchers"/> for peers), so that removing the policy releases exactly what compiling took.
/// </remarks>
internal sealed class RuleCompiler(Func<Peer, int> acquireSelector, Action<int> addPeerRef)
{
    public CompiledRule[] Compile(PolicyState state, EquatableArray<Rule> rules, Direction direction)
    {
        var result = new CompiledRule[rules.Count];
        for (var i = 0; i < rules.Count; i++)
        {
            var rule = rules[i];
            var compiled = new CompiledRule
            {
                Source = rule,
                Action = rule.Action,
                Protocol = rule.Protocol?.Number ?? -1,
                NotProtocol = rule.NotProtocol?.Number ?? -1,
                RequiresIcmpType = rule.Icmp is not null,
                IpVersion = rule.IpVersion ?? 0,
                From = Compile(state, rule.Source),
                To = Compile(state, rule.Destination),
            };
            TierProgramCompiler.Simplify(compiled, ingress: direction == Direction.Ingress);
            result[i] = compiled;
        }

        return result;
    }

    private CompiledEntity Compile(PolicyState state, EntityMatch match)
    {
        if (match.IsAny)
        {
            return CompiledEntity.Any;
        }

        var peers = match.Peers.Count == 0 ? [] : new CompiledPeer[match.Peers.Count];
        for (var i = 0; i < peers.Length; i++)
        {
            peers[i] = Compile(state, match.Peers[i]);
        }

        var entity = new CompiledEntity
        {
            Peers = peers,
            NotNets = [.. match.NotNets],
            Ports = [.. match.Ports],
            NotPorts = [.. match.NotPorts],
        };
        if (match.NotSelector is { } notSelector)
        {
            entity.NotMatcher = acquireSelector(new Peer { CalicoScope = true, Selector = notSelector });
            state.Matchers.Add(entity.NotMatcher);
        }

        return entity;
    }

    private CompiledPeer Compile(PolicyState state, Peer peer)
    {
        var compiled = new CompiledPeer { Nets = [.. peer.Nets], NodeSelector = peer.NodeSelector, Calico = peer.CalicoScope };
        if (peer.RequiresWorkload)
        {
            compiled.Matcher = acquireSelector(peer);
            state.Matchers.Add(compiled.Matcher);
            state.PeerMatchers.Add(compiled.Matcher);
            addPeerRef(compiled.Matcher);
        }

        return compiled;
    }
}
