using Microsoft.AspNetCore.Http;
using Palisade.Server.Security;

namespace Palisade.Server.Http;

/// <summary>Reads a request's path and method into what it asks (kube-apiserver's RequestInfoFactory, for the paths served here).</summary>
internal static class RequestInfo
{
    public static ApiRequestAttributes Parse(HttpRequest request)
    {
        var path = request.Path.Value ?? "/";
        var segments = path.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        var method = request.Method.ToUpperInvariant();
        string group;
        string version;
        string[] rest;
        if (segments.Length >= 3 && segments[0] == "api")
        {
            (group, version, rest) = (string.Empty, segments[1], segments[2..]);
        }
        else if (segments.Length >= 4 && segments[0] == "apis")
        {
            (group, version, rest) = (segments[1], segments[2], segments[3..]);
        }
        else
        {
            return new ApiRequestAttributes(method.ToLowerInvariant(), path, IsResourceRequest: false);
        }

        string? ns = null;
        if (rest.Length >= 3 && rest[0] == "namespaces" && rest[2] is not "status" and not "finalize")
        {
            ns = rest[1];
            rest = rest[2..];
        }

        var resource = rest[0];
        var name = rest.Length > 1 ? rest[1] : null;
        var subresource = rest.Length > 2 ? string.Join('/', rest[2..]) : null;
        var watch = request.Query["watch"] is var w && (w == "true" || w == "1");
        var verb = method switch
        {
            "GET" or "HEAD" => name is not null ? "get" : watch ? "watch" : "list",
            "POST" => "create",
            "PUT" => "update",
            "PATCH" => "patch",
            "DELETE" => name is not null ? "delete" : "deletecollection",
            _ => method.ToLowerInvariant(),
        };
        return new ApiRequestAttributes(verb, path, IsResourceRequest: true, group, version, resource, ns, name, subresource);
    }
}
