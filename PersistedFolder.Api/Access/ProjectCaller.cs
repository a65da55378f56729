using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using PersistedFolder.Api.Authentication;
using PersistedFolder.Api.Errors;
using PersistedFolder.Core.Access;

namespace PersistedFolder.Api.Access;

/// <summary>
/// Who a folder action acts for, in the project its URL names: bound, as an action parameter, by
/// <see cref="ProjectCallerBinder"/>. Either a <see cref="KeyCaller"/> that the operation itself
/// verifies and checks (one round trip), or a <see cref="GrantedCaller"/> already checked.
/// </summary>
[ModelBinder<ProjectCallerBinder>]
public sealed record ProjectCaller(FolderCaller Caller);

/// <summary>
/// After the folder request filter: a key it left unverified (<see cref="FolderCallerFeature"/>) and a
/// well-formed <c>{project_id}</c> become a <see cref="KeyCaller"/>, checked by the operation's own
/// statement. Anything else is checked here, in SPEC §4's order: the caller (401), the project (404),
/// then the key's restrictions, its scopes and membership (403), asked of the
/// <see cref="IProjectAccessSource"/>: a host's own, or the folder tables' for a host principal. A
/// denial is thrown as an <see cref="ApiProblemException"/> and answered by the folder request filter.
/// </summary>
public sealed class ProjectCallerBinder(IProjectAccessSource projects) : IModelBinder
{
    public async Task BindModelAsync(ModelBindingContext bindingContext)
    {
        var http = bindingContext.HttpContext;
        var caller = FolderCallerFeature.Of(http);
        var parsed = ProjectReference.TryParse(bindingContext.ActionContext.RouteData.Values["project_id"] as string, out var project);
        if (parsed && caller is { Identity: null, Presented: { } key })
        {
            bindingContext.Result = ModelBindingResult.Success(new ProjectCaller(new KeyCaller(key.SecureValue, project)));
            return;
        }

        if (await caller.VerifyAsync(http) is { } unauthenticated)
        {
            throw new ApiProblemException(unauthenticated);
        }

        var identity = caller.Identity!;
        if (!parsed || await projects.FindAsync(project, identity.UserId, http.RequestAborted) is not { } access)
        {
            throw new ApiProblemException(ApiProblems.ProjectNotFound);
        }

        var grant = identity.Key is { } presentedKey ? KeyGrant.Of(presentedKey) : null;
        var method = http.Request.Method;
        var write = !(HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method));
        if (AccessRules.Deny(access, grant, AccessRules.FolderScopeObject, write) is { } denial)
        {
            throw new ApiProblemException(ApiProblems.PermissionDenied(denial));
        }

        bindingContext.Result = ModelBindingResult.Success(new ProjectCaller(new GrantedCaller(access.TeamId, identity.UserId)));
    }
}
