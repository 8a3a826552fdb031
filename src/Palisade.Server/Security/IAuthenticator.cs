using Microsoft.AspNetCore.Http;

namespace Palisade.Server.Security;

/// <summary>Establishes who sent a request (bearer tokens today; OIDC, LDAP and client certificates plug in here).</summary>
public interface IAuthenticator
{
    /// <summary>The user, or null when the request proves no identity (answered 401).</summary>
    ValueTask<UserInfo?> AuthenticateAsync(HttpRequest request, CancellationToken cancellationToken);
}
