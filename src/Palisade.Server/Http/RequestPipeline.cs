using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Palisade.Server.Api;
using Palisade.Server.Security;
using Palisade.Store;

namespace Palisade.Server.Http;

/// <summary>
/// Every request's path through the server: authenticate (401 without a known identity), authorize (403), answer
/// (discovery, OpenAPI, or a resource), map refusals to Kubernetes <c>Status</c> objects, and record the outcome in the
/// audit sink. Authentication, authorization and audit are the interfaces that users, RBAC and the audit log plug into.
/// </summary>
internal sealed partial class RequestPipeline(
    IAuthenticator authenticator,
    IAuthorizer authorizer,
    IAuditSink audit,
    Discovery discovery,
    OpenApiDocuments openApi,
    ResourceHandler resources,
    TimeProvider time,
    ILogger<RequestPipeline> logger)
{
    public async Task HandleAsync(HttpContext context)
    {
        var cancellationToken = context.RequestAborted;
        var request = RequestInfo.Parse(context.Request);
        UserInfo? user = null;
        try
        {
            user = await authenticator.AuthenticateAsync(context.Request, cancellationToken).ConfigureAwait(false)
                ?? throw new ApiException(401, "Unauthorized", "Unauthorized");
            if (await authorizer.DenyReasonAsync(user, request, cancellationToken).ConfigureAwait(false) is { } reason)
            {
                throw new ApiException(403, "Forbidden", reason);
            }

            if (request.IsResourceRequest)
            {
                await resources.HandleAsync(context, request, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await NonResourceAsync(context, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (!context.Response.HasStarted && Refusal(e) is { } refusal)
        {
            await JsonResponses.WriteAsync(context.Response, refusal.Code, refusal.ToStatus(), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (!context.Response.HasStarted && e is not OperationCanceledException)
        {
            Failed(logger, e, request.Verb, request.Path);
            var status = ApiException.Status(500, "InternalError", $"an internal error occurred: {e.Message}");
            await JsonResponses.WriteAsync(context.Response, 500, status, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            var record = new AuditRecord(time.GetUtcNow(), user, context.Request.Method, request, context.Response.StatusCode, context.Connection.RemoteIpAddress?.ToString());
            await audit.WriteAsync(record, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private static ApiException? Refusal(Exception e) => e switch
    {
        ApiException api => api,
        StoreException store => new ApiException(store.Code, store.Reason, store.Message),
        BadHttpRequestException { StatusCode: 413 } => new ApiException(413, "RequestEntityTooLarge", "the request is too large: the body exceeds the server's limit"),
        BadHttpRequestException bad => new ApiException(bad.StatusCode, "BadRequest", bad.Message),
        JsonException json => ApiException.BadRequest($"the request body is not valid JSON: {json.Message}"),
        _ => null,
    };

    private async Task NonResourceAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var path = (context.Request.Path.Value ?? "/").TrimEnd('/');
        var response = context.Response;
        if (path is "/healthz" or "/livez" or "/readyz")
        {
            response.ContentType = "text/plain";
            await response.WriteAsync("ok", cancellationToken).ConfigureAwait(false);
            return;
        }

        if (path == "/openapi/v2")
        {
            response.ContentType = OpenApiV2.ContentType;
            await response.Body.WriteAsync(OpenApiV2.Document, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (path == "/openapi/v3")
        {
            await JsonResponses.WriteRawAsync(response, openApi.Index, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (path.StartsWith("/openapi/v3/", StringComparison.Ordinal) && openApi.Find(path["/openapi/v3/".Length..]) is { } document)
        {
            await JsonResponses.WriteRawAsync(response, document, cancellationToken).ConfigureAwait(false);
            return;
        }

        var segments = path.Trim('/').Split('/');
        var body = segments switch
        {
            ["version"] => Discovery.Version(),
            ["api"] => Discovery.CoreVersions($"{context.Request.Host}"),
            ["api", var version] => discovery.ResourceList(string.Empty, version),
            ["apis"] => discovery.GroupList(),
            ["apis", var group] => discovery.Group(group),
            ["apis", var group, var version] => discovery.ResourceList(group, version),
            _ => null,
        };
        if (body is null)
        {
            throw new ApiException(404, "NotFound", "the server could not find the requested resource");
        }

        await JsonResponses.WriteAsync(response, 200, body, cancellationToken).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Verb} {Path} failed")]
    private static partial void Failed(ILogger logger, Exception exception, string verb, string path);
}
