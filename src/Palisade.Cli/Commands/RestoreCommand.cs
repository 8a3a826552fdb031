using System.CommandLine;
using Palisade.Store;

namespace Palisade.Cli.Commands;

/// <summary><c>palisade restore</c>: a backup written back into an empty store.</summary>
internal static class RestoreCommand
{
    public static Command Create(CliContext context)
    {
        var selection = new StoreSelection();
        var file = new Argument<string>("FILE") { Description = "A backup written by 'palisade backup', or - for standard input." };
        var command = new Command("restore", """
            Restore a backup into an empty store.

            The whole backup is read and checked before the first write; a truncated or altered file is refused with
            the line where it breaks, and a store that holds objects is refused (nothing is overwritten). Objects get
            the new store's revisions, so clients list again, as after a restore of a Kubernetes cluster's etcd.
            Stop the server using an embedded store first.

            Examples:
              palisade restore --data /var/lib/palisade-new palisade-backup.jsonl
              palisade restore --store etcd://127.0.0.1:2379 palisade-backup.jsonl
            """)
        {
            file,
        };
        foreach (var option in selection.All)
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            var source = parse.GetValue(file)!;
            selection.Validate(parse);
            Stream input;
            try
            {
                input = source == "-" ? Console.OpenStandardInput() : File.OpenRead(source);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new UsageException($"{source}: {e.Message}");
            }

            await using (input)
            {
                await using var store = selection.Open(parse);
                try
                {
                    var count = await StoreBackup.RestoreAsync(input, store, cancellationToken).ConfigureAwait(false);
                    context.Error.WriteLine($"restored {count} objects from {(source == "-" ? "standard input" : source)}; the store is at revision {await store.GetRevisionAsync(cancellationToken).ConfigureAwait(false)}");
                }
                catch (InvalidDataException e)
                {
                    throw new UsageException($"{source}: {e.Message}");
                }
                catch (InvalidOperationException e)
                {
                    throw new UsageException($"{source}: {e.Message}");
                }
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
