namespace Palisade.Store.Tests;

/// <summary>The store contract on the embedded SQLite store, a fresh file per test.</summary>
public sealed class SqliteStoreContractTests : StoreContractTests, IDisposable
{
    private readonly TempDirectory _data = new();

    protected override Task<IRevisionedStore> OpenAsync(StoreOptions options) =>
        Task.FromResult<IRevisionedStore>(SqliteStore.Open(Path.Combine(_data.Path, Guid.NewGuid().ToString("N")), options));

    public void Dispose() => _data.Dispose();
}
