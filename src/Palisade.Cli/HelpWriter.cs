using System.CommandLine;
using System.CommandLine.Invocation;

namespace Palisade.Cli;

/// <summary>
/// Top-level help lists each command by its first line (its own <c>--help</c> shows the whole description with
/// examples); subcommand help is the standard layout.
/// </summary>
internal sealed class HelpWriter(SynchronousCommandLineAction standard, TextWriter output) : SynchronousCommandLineAction
{
    public override int Invoke(ParseResult parseResult)
    {
        if (parseResult.CommandResult.Command is not RootCommand root)
        {
            return standard.Invoke(parseResult);
        }

        output.WriteLine(root.Description);
        output.WriteLine();
        output.WriteLine("Usage:");
        output.WriteLine("  palisade COMMAND [options]");
        output.WriteLine();
        output.WriteLine("Commands:");
        var width = root.Subcommands.Max(c => c.Name.Length) + 4;
        foreach (var command in root.Subcommands.Where(c => !c.Hidden))
        {
            var firstLine = (command.Description ?? string.Empty).Split('\n')[0].Trim();
            output.WriteLine($"  {command.Name.PadRight(width)}{firstLine}");
        }

        output.WriteLine();
        output.WriteLine("Options:");
        output.WriteLine($"  {"-h, --help".PadRight(width)}Show help; 'palisade COMMAND --help' shows a command's options and examples.");
        output.WriteLine($"  {"--version".PadRight(width)}Show the version.");
        output.WriteLine($"  {"--debug".PadRight(width)}Print stack traces of internal errors.");
        return ExitCodes.Ok;
    }
}
