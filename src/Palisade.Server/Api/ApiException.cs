using System.Text.Json.Nodes;

namespace Palisade.Server.Api;

/// <summary>A request refused for a reason the client can act on, answered as a Kubernetes <c>Status</c> with its code and reason.</summary>
internal sealed class ApiException(int code, string reason, string message, JsonObject? details = null) : Exception(message)
{
    public int Code { get; } = code;

    /// <summary>The Kubernetes StatusReason: NotFound, AlreadyExists, Conflict, Invalid, BadRequest, Expired, …</summary>
    public string Reason { get; } = reason;

    public JsonObject? Details { get; } = details;

    public static ApiException NotFound(ResourceKind kind, string name) =>
        new(404, "NotFound", $"{kind.QualifiedResource} \"{name}\" not found", Detail(kind, name));

    public static ApiException BadRequest(string message) => new(400, "BadRequest", message);

    public static JsonObject Detail(ResourceKind kind, string name) => new()
    {
        ["name"] = name,
        ["group"] = kind.Group,
        ["kind"] = kind.Plural,
    };

    /// <summary>The <c>Status</c> object a client reads.</summary>
    public JsonObject ToStatus() => Status(Code, Reason, Message, Details);

    public static JsonObject Status(int code, string reason, string message, JsonObject? details = null)
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = code < 400 ? "Success" : "Failure",
            ["message"] = message,
            ["reason"] = reason,
            ["code"] = code,
        };
        if (details is not null)
        {
            status["details"] = details;
        }

        return status;
    }
}
