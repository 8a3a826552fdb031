using System.Globalization;
using System.Text;

namespace Palisade.Manifests;

/// <summary>One problem found in the input, located by file, document, line, column and field path.</summary>
public sealed record ManifestDiagnostic(DiagnosticSeverity Severity, string Message)
{
    /// <summary>What is wrong; values it quotes from the input are cut to a readable length (see <see cref="Excerpt"/>).</summary>
    public string Message { get; init; } = Excerpt.CutQuoted(Message);

    public string? File { get; init; }

    /// <summary>1-based index of the YAML document in its file; 0 when not known.</summary>
    public int Document { get; init; }

    public int Line { get; init; }

    public int Column { get; init; }

    /// <summary>The field path inside the object, Kubernetes style: <c>spec.ingress[0].from[1].podSelector</c>.</summary>
    public string? Path { get; init; }

    /// <summary>The object the problem is in, e.g. <c>NetworkPolicy x/allow-web</c>.</summary>
    public string? Object { get; init; }

    /// <summary>Prints as <c>file:line:col: error: document 2 (NetworkPolicy x/web): spec.ingress[0]: message</c>.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        if (File is not null)
        {
            sb.Append(File);
            if (Line > 0)
            {
                sb.Append(CultureInfo.InvariantCulture, $":{Line}");
                if (Column > 0)
                {
                    sb.Append(CultureInfo.InvariantCulture, $":{Column}");
                }
            }

            sb.Append(": ");
        }

        sb.Append(Severity == DiagnosticSeverity.Error ? "error: " : "warning: ");
        if (Document > 0)
        {
            sb.Append(CultureInfo.InvariantCulture, $"document {Document}");
            if (Object is not null)
            {
                sb.Append(CultureInfo.InvariantCulture, $" ({Object})");
            }

            sb.Append(": ");
        }
        else if (Object is not null)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{Object}: ");
        }

        if (!string.IsNullOrEmpty(Path))
        {
            sb.Append(Path).Append(": ");
        }

        sb.Append(Message);
        return sb.ToString();
    }
}
