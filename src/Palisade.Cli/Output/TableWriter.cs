using System.Text;
using Spectre.Console;

namespace Palisade.Cli.Output;

/// <summary>Prints rows as a Spectre table with colour on a terminal, and as plain aligned columns into a pipe.</summary>
internal sealed class TableWriter(params string[] headers)
{
    private readonly List<(string Text, CellStyle Style)[]> rows = [];

    public void Add(params (string Text, CellStyle Style)[] cells) => rows.Add(cells);

    public void Add(params string[] cells) => rows.Add([.. cells.Select(c => (c, CellStyle.Plain))]);

    public int Count => rows.Count;

    public void Write(CliContext context)
    {
        if (context.IsTerminal)
        {
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(context.Out) });
            var table = new Table().Border(TableBorder.Rounded);
            foreach (var h in headers)
            {
                table.AddColumn(new TableColumn($"[bold]{Markup.Escape(h)}[/]"));
            }

            foreach (var row in rows)
            {
                table.AddRow([.. row.Select(c => new Markup(Styled(c.Text, c.Style)))]);
            }

            console.Write(table);
            return;
        }

        var widths = headers.Select(h => h.Length).ToArray();
        foreach (var row in rows)
        {
            for (var i = 0; i < row.Length && i < widths.Length; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Text.Length);
            }
        }

        var sb = new StringBuilder();
        AppendLine(sb, headers.Select(h => h.ToUpperInvariant()).ToArray(), widths);
        foreach (var row in rows)
        {
            AppendLine(sb, [.. row.Select(c => c.Text)], widths);
        }

        context.Out.Write(sb.ToString());
    }

    private static void AppendLine(StringBuilder sb, string[] cells, int[] widths)
    {
        for (var i = 0; i < cells.Length; i++)
        {
            sb.Append(i == cells.Length - 1 ? cells[i] : cells[i].PadRight(widths[i] + 2));
        }

        sb.Append('\n');
    }

    private static string Styled(string text, CellStyle style) => style switch
    {
        CellStyle.Good => $"[green]{Markup.Escape(text)}[/]",
        CellStyle.Bad => $"[red]{Markup.Escape(text)}[/]",
        CellStyle.Dim => $"[grey]{Markup.Escape(text)}[/]",
        _ => Markup.Escape(text),
    };
}
