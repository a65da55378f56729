using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using PersistedFolder.Api.Controllers;
using PersistedFolder.Api.Errors;

namespace PersistedFolder.Api.Authentication;

public static class PersistedFolderAuthorization
{
    /// <summary>The policy on every folder endpoint: an authenticated principal from the configured schemes.</summary>
    public const string Policy = "PersistedFolder";
}

/// <summary>
/// Answers a failed authentication on the folder endpoints with the API's 401 body and
/// <c>WWW-Authenticate: Bearer</c>; other endpoints of a host keep the default behaviour.
/// </summary>
public sealed class PersistedFolderAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler fallback = new();

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Succeeded || !FolderEndpoints.Is(context.GetEndpoint()))
        {
            return fallback.HandleAsync(next, context, policy, authorizeResult);
        }

        var problem = authorizeResult.Challenged
            ? context.Features.Get<PersonalApiKeyFailureFeature>()?.Problem ?? ApiProblems.NotAuthenticated
            : ApiProblems.PermissionDenied("You do not have permission to perform this action.");
        return ApiProblemWriter.WriteAsync(context, problem);
    }
}
