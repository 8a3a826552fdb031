using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Palisade.Server.Security;

/// <summary>
/// The default authenticator: a bearer token whose SHA-256 is among the server's token hashes is the admin. The
/// server keeps only hashes; the tokens themselves are in the kubeconfigs it wrote.
/// </summary>
internal sealed class TokenAuthenticator(IReadOnlyList<byte[]> adminTokenHashes) : IAuthenticator
{
    private static readonly UserInfo Admin = new("admin", [UserInfo.AdminGroup, "system:authenticated"]);

    public ValueTask<UserInfo?> AuthenticateAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var header = request.Headers.Authorization.ToString();
        const string Scheme = "Bearer ";
        if (!header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return ValueTask.FromResult<UserInfo?>(null);
        }

        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(header[Scheme.Length..].Trim()));
        var known = false;
        foreach (var candidate in adminTokenHashes)
        {
            // Compared in constant time, every candidate, so timing tells nothing about how close a guess came.
            known |= CryptographicOperations.FixedTimeEquals(hash, candidate);
        }

        return ValueTask.FromResult(known ? Admin : null);
    }
}
