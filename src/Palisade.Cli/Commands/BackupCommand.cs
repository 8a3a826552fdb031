using System.CommandLine;
using Palisade.Store;

namespace Palisade.Cli.Commands;

/// <summary><c>palisade backup</c>: a server's store, written to a file as a snapshot at one revision.</summary>
internal static class BackupCommand
{
    public static Command Create(CliContext context)
    {
        var selection = new StoreSelection();
        var file = new Argument<string>("FILE") { Description = "Where the backup goes (JSON lines), or - for standard output." };
        var command = new Command("backup", """
            Back up a server's store: every object, read at one revision, to a file.

            The backup is JSON lines (a header with the revision, one line per object, a trailer with the count), so a
            truncated copy is refused on restore. The embedded store is read by one process at a time: stop the
            server first (an etcd store can be backed up while servers run).

            Examples:
              palisade backup --data /var/lib/palisade palisade-backup.jsonl
              palisade backup --store etcd://127.0.0.1:2379 - | gzip > backup.jsonl.gz
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
            var target = parse.GetValue(file)!;
            await using var store = selection.Open(parse);
            BackupSummary summary;
            if (target == "-")
            {
                await using var stdout = Console.OpenStandardOutput();
                summary = await StoreBackup.WriteAsync(store, stdout, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                var partial = target + ".partial";
                try
                {
                    await using (var output = File.Create(partial))
                    {
                        summary = await StoreBackup.WriteAsync(store, output, cancellationToken).ConfigureAwait(false);
                        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
                    }

                    // Only a whole backup takes the name: an interrupted one never replaces a good file.
                    File.Move(partial, target, overwrite: true);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    File.Delete(partial);
                    throw new UsageException($"{target}: {e.Message}");
                }
            }

            context.Error.WriteLine($"backed up {summary.Objects} objects at revision {summary.Revision} to {(target == "-" ? "standard output" : target)}");
            return ExitCodes.Ok;
        });
        return command;
    }
}
