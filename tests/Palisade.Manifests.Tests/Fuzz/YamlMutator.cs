using System.Text;

namespace Palisade.Manifests.Tests.Fuzz;

/// <summary>
/// Makes hostile variants of valid manifests: structural mutations (lines deleted, repeated, swapped, re-indented; YAML
/// syntax inserted; nesting, alias and length bombs) and byte mutations of the UTF-8 text (flipped, inserted, deleted,
/// truncated), as a mutation fuzzer does. Deterministic for a given <see cref="Random"/>.
/// </summary>
internal sealed class YamlMutator(Random random)
{
    private static readonly string[] Syntax =
    [
        "[", "]", "{", "}", ": {", ": [", "- ", "? ", ": ", ",", "&a ", "*a", "&b [*a, *a, *a]", "<<: *a", "---\n", "...\n",
        "!!str ", "!!map ", "!custom ", "'", "\"", "|", ">-", "#", "\t", "%YAML 1.1\n---\n", "\\u0000", "\r", "\u2028",
        "\uFEFF", "\uD800", "!<tag:yaml.org,2002:int> ",
    ];

    private static readonly string[] Values =
    [
        "y", "no", "null", "~", "0x1F", "0o17", "1e400", "-1", "99999", "65536", "\"\"", "[]", "{}", "*undefined", ".nan",
        "9223372036854775808", "-0", "1_000", "2001:db8::/129", "10.0.0.1/8", "ff06::/3", "0.0.0.0/0", "::/0", "\"a b\"",
        "has(", "all()", "!has(x) && ", "TCP", "SCTP", "ICMP", "Deny", "Pass", "Log", "In", "Exists",
    ];

    /// <summary>One to four mutations of <paramref name="seed"/>, each structural or byte-level.</summary>
    public string Mutate(string seed)
    {
        var text = seed;
        var count = random.Next(1, 5);
        for (var i = 0; i < count; i++)
        {
            text = random.Next(3) == 0 ? MutateBytes(text) : MutateStructure(text);
        }

        return text;
    }

    private string MutateStructure(string text)
    {
        var lines = text.Split('\n').ToList();
        var at = random.Next(lines.Count);
        switch (random.Next(11))
        {
            case 0:
                lines.RemoveAt(at);
                break;
            case 1:
                var length = Math.Min(random.Next(1, 8), lines.Count - at);
                var block = lines.GetRange(at, length);
                var times = random.Next(2) == 0 ? random.Next(1, 4) : random.Next(10, 400);
                for (var t = 0; t < times; t++)
                {
                    lines.InsertRange(at, block);
                }

                break;
            case 2:
                var other = random.Next(lines.Count);
                (lines[at], lines[other]) = (lines[other], lines[at]);
                break;
            case 3:
                lines[at] = random.Next(2) == 0 || lines[at].Length == 0 ? "  " + lines[at] : lines[at].TrimStart().PadLeft(lines[at].Length - 1);
                break;
            case 4:
                lines[at] = Insert(lines[at], Syntax[random.Next(Syntax.Length)]);
                break;
            case 5:
                lines[at] = ReplaceValue(lines[at], Values[random.Next(Values.Length)]);
                break;
            case 6:
                // Nesting: up to well past the depth bound, flow or block.
                var depth = random.Next(2) == 0 ? random.Next(10, 2_000) : random.Next(2_000, 60_000);
                lines[at] = Insert(lines[at], random.Next(2) == 0 ? new string('[', depth) : string.Concat(Enumerable.Repeat("{a: ", depth)));
                break;
            case 7:
                lines.InsertRange(at, AliasBomb(Indent(lines[at])));
                break;
            case 8:
                // A long value: past the cut of quoted values, sometimes past a line of output.
                lines[at] = ReplaceValue(lines[at], new string((char)('A' + random.Next(26)), random.Next(2) == 0 ? random.Next(100, 3_000) : random.Next(100_000, 400_000)));
                break;
            case 9:
                lines.RemoveRange(at, lines.Count - at);
                break;
            default:
                // An alias of an earlier anchor in place of a value: aliases in unexpected places.
                lines[at] = ReplaceValue(lines[at], random.Next(2) == 0 ? "*a" : "&a " + Values[random.Next(Values.Length)]);
                break;
        }

        return string.Join('\n', lines);
    }

    private string MutateBytes(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text).ToList();
        if (bytes.Count == 0)
        {
            return text;
        }

        var at = random.Next(bytes.Count);
        switch (random.Next(4))
        {
            case 0:
                bytes[at] = (byte)random.Next(256);
                break;
            case 1:
                bytes.InsertRange(at, Enumerable.Range(0, random.Next(1, 8)).Select(_ => (byte)random.Next(256)));
                break;
            case 2:
                bytes.RemoveRange(at, Math.Min(random.Next(1, 64), bytes.Count - at));
                break;
            default:
                bytes.RemoveRange(at, bytes.Count - at);
                break;
        }

        // As a file is read: invalid UTF-8 becomes replacement characters.
        return Encoding.UTF8.GetString([.. bytes]);
    }

    private string Insert(string line, string what) => line.Insert(random.Next(line.Length + 1), what);

    private static string ReplaceValue(string line, string value)
    {
        var colon = line.IndexOf(": ", StringComparison.Ordinal);
        if (colon >= 0)
        {
            return line[..(colon + 2)] + value;
        }

        var dash = line.IndexOf("- ", StringComparison.Ordinal);
        return dash >= 0 ? line[..(dash + 2)] + value : line + value;
    }

    private static string Indent(string line) => line[..(line.Length - line.TrimStart().Length)];

    /// <summary>Anchored lists each aliasing the previous one several times: grows exponentially with the levels.</summary>
    private List<string> AliasBomb(string indent)
    {
        var levels = random.Next(3, 13);
        var fanout = random.Next(3, 11);
        var key = random.Next(2) == 0 ? "b" : "?";
        var result = new List<string> { $"{indent}b0: &b0 [x, y]" };
        for (var level = 1; level < levels; level++)
        {
            result.Add($"{indent}b{level}: &b{level} [{string.Join(", ", Enumerable.Repeat($"*b{level - 1}", fanout))}]");
        }

        result.Add(key == "?" ? $"{indent}? *b{levels - 1}" : $"{indent}bomb: *b{levels - 1}");
        if (key == "?")
        {
            result.Add($"{indent}: v");
        }

        return result;
    }
}
