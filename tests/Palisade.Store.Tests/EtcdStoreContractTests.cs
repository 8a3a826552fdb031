namespace Palisade.Store.Tests;

/// <summary>The store contract on a real etcd, one per class; each test works under its own prefix.</summary>
public sealed class EtcdStoreContractTests(EtcdServer etcd) : StoreContractTests, IClassFixture<EtcdServer>
{
    protected override Task<IRevisionedStore> OpenAsync(StoreOptions options) =>
        Task.FromResult<IRevisionedStore>(EtcdStore.Connect(etcd.Endpoint, options));
}
