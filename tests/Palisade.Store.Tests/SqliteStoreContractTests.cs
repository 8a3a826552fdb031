namespace Palisade.Store.Tests;

/// <summary>The store contract on the embedded SQLite store, a fresh file per test.</summary>
public sealed class SqliteStoreContractTests : StoreContractTests, IDisposable
{
    private readonly TempDirectory _data = new();

    protected override Task<IRevisionedStore> OpenAsync(StoreOptions options) =>
        Task.FromResult<IRevisionedStore>(SqliteStore.Open(Path.Combine(_data.Path, Guid.NewGuid().ToString("N")), options));

    [Fact]
    public async Task Open_WhileAnotherHoldsTheDirectory_IsRefusedWithAHint_AndWorksOnceItIsClosed()
    {
        var dir = Path.Combine(_data.Path, "shared");
        var first = SqliteStore.Open(dir);

        var error = Assert.Throws<IOException>(() => SqliteStore.Open(dir));
        Assert.Contains("in use by another process", error.Message, StringComparison.Ordinal);

        await first.DisposeAsync();
        await using var second = SqliteStore.Open(dir);
        Assert.Equal(1, await second.GetRevisionAsync(Timeout));
    }

    public void Dispose() => _data.Dispose();
}
