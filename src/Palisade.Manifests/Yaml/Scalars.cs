using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Palisade.Manifests.Yaml;

/// <summary>
/// Resolves plain scalars to types the way kubectl's YAML reader does (YAML 1.1: <c>yes</c>, <c>on</c> and <c>y</c> are
/// booleans), so that <c>ns: y</c> is caught here as kubectl would reject it, not silently read as a string.
/// </summary>
internal static partial class Scalars
{
    public static ScalarType Classify(YamlScalarNode node)
    {
        if (node.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted or ScalarStyle.Literal or ScalarStyle.Folded)
        {
            return ScalarType.String;
        }

        if (node.Tag.IsEmpty is false)
        {
            var tag = node.Tag.Value;
            if (tag.EndsWith(":str", StringComparison.Ordinal))
            {
                return ScalarType.String;
            }
        }

        var v = node.Value ?? string.Empty;
        return v switch
        {
            "" or "~" or "null" or "Null" or "NULL" => ScalarType.Null,
            "true" or "True" or "TRUE" or "false" or "False" or "FALSE" or
            "y" or "Y" or "yes" or "Yes" or "YES" or "n" or "N" or "no" or "No" or "NO" or
            "on" or "On" or "ON" or "off" or "Off" or "OFF" => ScalarType.Bool,
            _ when IntegerPattern().IsMatch(v) => ScalarType.Integer,
            _ when FloatPattern().IsMatch(v) => ScalarType.Float,
            _ => ScalarType.String,
        };
    }

    public static bool TryGetInteger(YamlScalarNode node, out long value)
    {
        value = 0;
        if (Classify(node) != ScalarType.Integer)
        {
            return false;
        }

        var v = node.Value!.Replace("_", string.Empty, StringComparison.Ordinal);
        var negative = v.StartsWith('-');
        if (v[0] is '-' or '+')
        {
            v = v[1..];
        }

        bool ok;
        if (v.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            ok = long.TryParse(v[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
        }
        else if (v.StartsWith("0o", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                value = Convert.ToInt64(v[2..], 8);
                ok = true;
            }
            catch (OverflowException)
            {
                ok = false;
            }
        }
        else
        {
            ok = long.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out value);
        }

        if (negative)
        {
            value = -value;
        }

        return ok;
    }

    public static string Describe(YamlNode? node) => node switch
    {
        null => "nothing",
        YamlMappingNode => "a map",
        YamlSequenceNode => "a list",
        YamlScalarNode s => Classify(s) switch
        {
            ScalarType.Null => "null",
            ScalarType.Bool => $"the boolean {s.Value}",
            ScalarType.Integer or ScalarType.Float => $"the number {Excerpt.Of(s.Value)}",
            _ => $"\"{Excerpt.Of(s.Value)}\"",
        },
        _ => "an unsupported node",
    };

    [GeneratedRegex(@"^[-+]?([0-9][0-9_]*|0x[0-9a-fA-F_]+|0o[0-7_]+)$")]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"^([-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))$")]
    private static partial Regex FloatPattern();
}
