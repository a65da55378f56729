using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using PersistedFolder.Api.Authentication;
using PersistedFolder.Api.Errors;
using PersistedFolder.Core.Access;

namespace PersistedFolder.Api.Access;

/// <summary>
/// The project and user a folder request may act for: bound, as an action parameter, by
/// <see cref="ProjectGrantBinder"/> once access is granted.
/// </summary>
[ModelBinder<ProjectGrantBinder>]
public sealed record ProjectGrant(long TeamId, long UserId);

/// <summary>
/// After authentication (<see cref="FolderAuthenticator"/>): resolves <c>{project_id}</c> (404 first),
/// then applies the key's restrictions, its scopes and membership in SPEC §4's order (403). A denial
/// is thrown as an <see cref="ApiProblemException"/> and answered by the folder request filter.
/// </summary>
public sealed class ProjectGrantBinder(IProjectAccessSource projects) : IModelBinder
{
    public const string ScopeObject = "persisted_folder";

    public async Task BindModelAsync(ModelBindingContext bindingContext)
    {
        var http = bindingContext.HttpContext;
        var identity = FolderIdentity.Of(http.User)
            ?? throw new InvalidOperationException("A folder action ran without the folder request filter's authentication.");

        if (!ProjectReference.TryParse(bindingContext.ActionContext.RouteData.Values["project_id"] as string, out var project)
            || await projects.FindAsync(project, identity.UserId, http.RequestAborted) is not { } access)
        {
            throw new ApiProblemException(ApiProblems.ProjectNotFound);
        }

        var grant = identity.Key is { } key ? new KeyGrant(key.Scopes, key.ScopedTeams, key.ScopedOrganizations) : null;
        var method = http.Request.Method;
        var write = !(HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method));
        if (AccessRules.Deny(access, grant, ScopeObject, write) is { } denial)
        {
            throw new ApiProblemException(ApiProblems.PermissionDenied(denial));
        }

        bindingContext.Result = ModelBindingResult.Success(new ProjectGrant(access.TeamId, identity.UserId));
    }
}
