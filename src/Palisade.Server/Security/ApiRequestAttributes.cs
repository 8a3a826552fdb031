namespace Palisade.Server.Security;

/// <summary>
/// What a request asks to do, as an authorizer and the audit log see it (Kubernetes' authorizer attributes): a verb
/// on a resource (get, list, watch, create, update, patch, delete) or on a path that is not a resource (discovery, OpenAPI).
/// </summary>
public sealed record ApiRequestAttributes(
    string Verb,
    string Path,
    bool IsResourceRequest,
    string ApiGroup = "",
    string ApiVersion = "",
    string Resource = "",
    string? Namespace = null,
    string? Name = null,
    string? Subresource = null);
