using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Mvc.Controllers;
using Microsoft.AspNetCore.Mvc.Filters;
using PersistedFolder.Api.Access;
using PersistedFolder.Api.Authentication;
using PersistedFolder.Api.Contention;
using PersistedFolder.Api.Errors;
using PersistedFolder.Api.RateLimiting;
using PersistedFolder.Api.Shutdown;
using PersistedFolder.Api.Versioning;
using PersistedFolder.Core.Access;

namespace PersistedFolder.Api.Controllers;

/// <summary>
/// Everything the folder API does to a request before its action, attached to the folder endpoints
/// only (the first filter of <see cref="PersistedFolderControllerBase"/>), so that a host's pipeline
/// and endpoints are left as they were: the API version (400), authentication by personal API key
/// or a host scheme (401; for a key on the folder tables, left to the operation's own statement,
/// see <see cref="FolderCallerFeature"/>), the per-key rate limit (429), <c>X-Content-Type-Options</c> and
/// <c>api-supported-versions</c> on every answer, and the one place where an exception of a folder
/// request becomes the API's error body.
/// </summary>
public sealed class FolderRequestFilter(
    FolderAuthenticator authenticator,
    IProjectAccessSource projects,
    KeyRateLimiter rateLimits,
    ApiExceptionHandler exceptions,
    UserConcurrencyLimiter concurrency,
    ShutdownDrain drain)
    : IAsyncResourceFilter
{
    public async Task OnResourceExecutionAsync(ResourceExecutingContext context, ResourceExecutionDelegate next)
    {
        var http = context.HttpContext;
        var versions = FolderApiVersions.Of((ControllerActionDescriptor)context.ActionDescriptor);
        http.Response.OnStarting(static state =>
        {
            var (response, supported, drain) = ((HttpResponse, string, ShutdownDrain))state;
            response.Headers.XContentTypeOptions = "nosniff";
            response.Headers[FolderApiVersions.SupportedHeader] = supported;
            drain.CloseAfterResponse(response);
            return Task.CompletedTask;
        }, (http.Response, versions.HeaderValue, drain));

        try
        {
            if (FolderApiVersions.Check(http.Request, versions) is { } unsupported)
            {
                context.Result = new ApiProblemResult(unsupported);
                return;
            }

            // At most a few requests at once per key (counted from before its lookup, itself a
            // database call) or, for a host principal, per folder user (issue 11).
            var presented = await authenticator.FindKeyAsync(http);
            var keyPartition = presented is { MayBeHostToken: false } ? UserConcurrencyLimiter.ForKey(presented) : null;
            using var keyTurn = keyPartition is null ? null : await concurrency.AcquireAsync(keyPartition, http.RequestAborted);
            if (keyPartition is not null && keyTurn is null)
            {
                context.Result = new ApiProblemResult(ApiProblems.Throttled(1));
                return;
            }

            var caller = new FolderCallerFeature(presented, authenticator);
            http.Features.Set(caller);
            if (keyPartition is null && await caller.AuthenticateAsync(http) is { } denied)
            {
                context.Result = new ApiProblemResult(denied);
                return;
            }

            using var userTurn = keyPartition is null ? await concurrency.AcquireAsync(UserConcurrencyLimiter.ForUser(caller.Identity!.UserId), http.RequestAborted) : null;
            if (keyPartition is null && userTurn is null)
            {
                context.Result = new ApiProblemResult(ApiProblems.Throttled(1));
                return;
            }

            // Counted per presented key, before its lookup; only a valid key is told to slow down (401 first).
            if ((keyPartition is not null || caller.Identity?.Key is not null)
                && await rateLimits.AcquireAsync(presented!.LimitId, http.RequestAborted) is { } throttled)
            {
                context.Result = new ApiProblemResult(await caller.VerifyAsync(http) ?? throttled);
                return;
            }

            // The key's lookup travels with the operation (one round trip) only on the folder tables'
            // own access source, and only for an action that runs an operation; else it is made now.
            if (!(projects.IsFolderTables && RunsOperation(context.ActionDescriptor)) && await caller.VerifyAsync(http) is { } unauthenticated)
            {
                context.Result = new ApiProblemResult(unauthenticated);
                return;
            }

            var executed = await next();
            if (executed.Exception is { } exception && !executed.ExceptionHandled)
            {
                executed.ExceptionHandled = true;
                await HandleAsync(http, exception);
            }
        }
        catch (Exception exception)
        {
            await HandleAsync(http, exception);
        }
        finally
        {
            // The windows were opened before the lookup: a key that turned out invalid keeps none.
            var unauthorized = context.Result is ApiProblemResult { Problem.Status: StatusCodes.Status401Unauthorized }
                || http.Response.StatusCode == StatusCodes.Status401Unauthorized;
            if (unauthorized && http.Features.Get<FolderCallerFeature>()?.Presented is { } refused)
            {
                rateLimits.Forget(refused.LimitId);
            }
        }
    }

    /// <summary>Whether the action binds a <see cref="ProjectCaller"/>: only those run a folder operation.</summary>
    private static bool RunsOperation(ActionDescriptor action)
    {
        foreach (var parameter in action.Parameters)
        {
            if (parameter.ParameterType == typeof(ProjectCaller))
            {
                return true;
            }
        }

        return false;
    }

    private async Task HandleAsync(HttpContext http, Exception exception)
    {
        if (http.Response.HasStarted)
        {
            // Nothing can be said any more: end the response rather than send half of one.
            http.Abort();
            return;
        }

        http.Response.Clear();
        await exceptions.TryHandleAsync(http, exception, http.RequestAborted);
    }
}
