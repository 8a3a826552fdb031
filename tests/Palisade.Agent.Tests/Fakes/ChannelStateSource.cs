using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Palisade.Manifests;

namespace Palisade.Agent.Tests.Fakes;

/// <summary>A source of desired states a test pushes one by one, as a control plane's watch would.</summary>
internal sealed class ChannelStateSource : IDesiredStateSource
{
    private readonly Channel<DesiredState> states = Channel.CreateUnbounded<DesiredState>();
    private long revision;

    /// <summary>Pushes the state the manifests describe.</summary>
    public void Push(string yaml)
    {
        var loaded = new ManifestLoader().LoadText(yaml, "state.yaml");
        Assert.True(loaded.Succeeded, string.Join("\n", loaded.Errors));
        Assert.True(states.Writer.TryWrite(new DesiredState(++revision, loaded.Cluster, loaded.Policies)));
    }

    public async IAsyncEnumerable<DesiredState> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var state in states.Reader.ReadAllAsync(cancellationToken))
        {
            yield return state;
        }
    }
}
