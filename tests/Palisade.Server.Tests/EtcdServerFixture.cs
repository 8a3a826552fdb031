using Palisade.Store.Tests;

namespace Palisade.Server.Tests;

/// <summary>A server on a real etcd (Debian's etcd-server) that the fixture starts on free loopback ports.</summary>
public sealed class EtcdServerFixture : ServerFixture
{
    private readonly EtcdServer etcd = new();

    protected override string? StoreLocation => etcd.Endpoint;

    public override async Task InitializeAsync()
    {
        await etcd.InitializeAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await etcd.DisposeAsync();
    }
}
