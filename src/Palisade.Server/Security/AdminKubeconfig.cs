using System.Text;

namespace Palisade.Server.Security;

/// <summary>Writes <c>admin.kubeconfig</c> (the server's URL, its CA, the admin token) and reads the token back at the next start.</summary>
internal static class AdminKubeconfig
{
    public const string FileName = "admin.kubeconfig";
    private const string TokenField = "    token: ";

    public static void Write(string path, Uri server, string caPem, string token)
    {
        var ca = Convert.ToBase64String(Encoding.UTF8.GetBytes(caPem));
        var text = $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: palisade
              cluster:
                server: {server.ToString().TrimEnd('/')}
                certificate-authority-data: {ca}
            users:
            - name: admin
              user:
            {TokenField}{token}
            contexts:
            - name: palisade
              context:
                cluster: palisade
                user: admin
            current-context: palisade

            """;
        ServerCredentials.WritePrivate(path, text);
    }

    /// <summary>The token in a kubeconfig this server wrote, or null when there is none.</summary>
    public static string? ReadToken(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        return File.ReadLines(path).FirstOrDefault(l => l.StartsWith(TokenField, StringComparison.Ordinal)) is { } line
            ? line[TokenField.Length..].Trim()
            : null;
    }
}
