namespace Palisade.Server.Security;

/// <summary>Decides whether a user may do what a request asks (admin-only today; RBAC plugs in here).</summary>
public interface IAuthorizer
{
    /// <summary>Null when allowed; otherwise why not, which the client reads in a 403 Status.</summary>
    ValueTask<string?> DenyReasonAsync(UserInfo user, ApiRequestAttributes request, CancellationToken cancellationToken);
}
