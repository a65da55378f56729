using System.Globalization;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.Extensions.Options;
using PersistedFolder.Api.Authentication;
using PersistedFolder.Api.Errors;
using PersistedFolder.Core.Access;

namespace PersistedFolder.Api.Access;

/// <summary>The project and user a folder request acts for, once access is granted.</summary>
public sealed record ProjectScopeFeature(long TeamId, long UserId);

/// <summary>Marks an action that answers before any project check (the 405 answers).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class SkipProjectAccessAttribute : Attribute;

/// <summary>
/// After authentication: resolves <c>{project_id}</c> (404 first), then applies the key's
/// restrictions, its scopes and membership in SPEC §4's order (403).
/// </summary>
public sealed class ProjectAccessFilter(IProjectAccessSource projects, IOptions<PersistedFolderApiOptions> options) : IAsyncAuthorizationFilter
{
    public const string ScopeObject = "persisted_folder";

    public async Task OnAuthorizationAsync(AuthorizationFilterContext context)
    {
        if (context.ActionDescriptor.EndpointMetadata.OfType<SkipProjectAccessAttribute>().Any())
        {
            return;
        }

        var http = context.HttpContext;
        var key = http.Features.Get<PersonalApiKeyFeature>()?.Key;
        var userId = key?.UserId ?? HostUserId(http);
        if (userId is null)
        {
            context.Result = new ApiProblemResult(ApiProblems.PermissionDenied("You don't have access to the project."));
            return;
        }

        if (!ProjectReference.TryParse(context.RouteData.Values["project_id"] as string, out var project)
            || await projects.FindAsync(project, userId.Value, http.RequestAborted) is not { } access)
        {
            context.Result = new ApiProblemResult(ApiProblems.ProjectNotFound);
            return;
        }

        var grant = key is null ? null : new KeyGrant(key.Scopes, key.ScopedTeams, key.ScopedOrganizations);
        var method = http.Request.Method;
        var write = !(HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method));
        if (AccessRules.Deny(access, grant, ScopeObject, write) is { } denial)
        {
            context.Result = new ApiProblemResult(ApiProblems.PermissionDenied(denial));
            return;
        }

        http.Features.Set(new ProjectScopeFeature(access.TeamId, userId.Value));
    }

    private long? HostUserId(HttpContext http) =>
        long.TryParse(http.User.FindFirst(options.Value.UserIdClaimType)?.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? id
            : null;
}
