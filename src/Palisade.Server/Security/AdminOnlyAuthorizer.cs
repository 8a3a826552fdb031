namespace Palisade.Server.Security;

/// <summary>The default authorizer: members of <see cref="UserInfo.AdminGroup"/> may do anything, nobody else anything.</summary>
internal sealed class AdminOnlyAuthorizer : IAuthorizer
{
    public ValueTask<string?> DenyReasonAsync(UserInfo user, ApiRequestAttributes request, CancellationToken cancellationToken)
    {
        if (user.Groups.Contains(UserInfo.AdminGroup, StringComparer.Ordinal))
        {
            return ValueTask.FromResult<string?>(null);
        }

        var what = request.IsResourceRequest
            ? $"cannot {request.Verb} resource \"{request.Resource}\" in API group \"{request.ApiGroup}\"" + (request.Namespace is { } ns ? $" in the namespace \"{ns}\"" : " at the cluster scope")
            : $"cannot {request.Verb} path \"{request.Path}\"";
        return ValueTask.FromResult<string?>($"User \"{user.Name}\" {what}: only administrators are allowed until RBAC is configured");
    }
}
