namespace Palisade.Server.Security;

/// <summary>Who a request comes from, as an authenticator established it (Kubernetes' user.Info: a name and groups).</summary>
public sealed record UserInfo(string Name, IReadOnlyList<string> Groups)
{
    /// <summary>The group whose members may do anything (Kubernetes' <c>system:masters</c>).</summary>
    public const string AdminGroup = "system:masters";
}
