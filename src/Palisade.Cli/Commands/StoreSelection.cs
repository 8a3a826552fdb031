using System.CommandLine;
using Palisade.Store;

namespace Palisade.Cli.Commands;

/// <summary>The options naming a server's store (<c>--data</c>, <c>--store</c>), shared by the commands that open one.</summary>
internal sealed class StoreSelection
{
    public Option<string?> Data { get; } = new("--data")
    {
        Description = "The server's data directory (the embedded store is DIR/store.db). Needed with --store sqlite, the default.",
        HelpName = "DIR",
    };

    public Option<string> Store { get; } = new("--store")
    {
        Description = "The store: sqlite (embedded, under --data) or etcd://HOST:PORT.",
        DefaultValueFactory = _ => "sqlite",
        HelpName = "STORE",
    };

    public IEnumerable<Option> All => [Data, Store];

    /// <summary>Checks the options name a store, before anything else is opened.</summary>
    public void Validate(ParseResult parse)
    {
        if (parse.GetValue(Store) is null or "" or "sqlite" && string.IsNullOrEmpty(parse.GetValue(Data)))
        {
            throw new UsageException("--data DIR is required with the embedded store (or give --store etcd://HOST:PORT)");
        }
    }

    /// <summary>Opens the store the options name; bad options and a store in use are usage errors (exit 2).</summary>
    public IRevisionedStore Open(ParseResult parse)
    {
        Validate(parse);
        var store = parse.GetValue(Store);
        var data = parse.GetValue(Data);

        try
        {
            return StoreLocation.Open(store, data ?? Directory.GetCurrentDirectory());
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
        catch (IOException e)
        {
            throw new UsageException(e.Message);
        }
    }
}
