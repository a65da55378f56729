using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.Net.Http.Headers;
using PersistedFolder.Api.Authentication;
using PersistedFolder.Api.Errors;

namespace PersistedFolder.Api.Binding;

/// <summary>
/// The folder endpoints render JSON only: an <c>Accept</c> header that rules JSON out is a 406,
/// as DRF's content negotiation answers it. No <c>Accept</c>, <c>*/*</c> or <c>application/*</c> is fine.
/// After authentication: a key left for the operation to verify is verified first, so a 401 still wins.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class RequiresJsonAcceptAttribute : Attribute, IAsyncResourceFilter
{
    public async Task OnResourceExecutionAsync(ResourceExecutingContext context, ResourceExecutionDelegate next)
    {
        var accept = context.HttpContext.Request.Headers.Accept;
        if (accept.Count == 0 || !MediaTypeHeaderValue.TryParseList(accept, out var ranges) || ranges.Count == 0 || ranges.Any(AllowsJson))
        {
            await next();
            return;
        }

        var unauthenticated = context.HttpContext.Features.Get<FolderCallerFeature>() is { } caller ? await caller.VerifyAsync(context.HttpContext) : null;
        context.Result = new ApiProblemResult(unauthenticated ?? ApiProblems.NotAcceptable);
    }

    // Parameters such as indent=4 do not matter, as in DRF.
    private static bool AllowsJson(MediaTypeHeaderValue range) =>
        range.Quality is not 0
        && (range.MatchesAllTypes
            || (range.Type.Equals("application", StringComparison.OrdinalIgnoreCase)
                && (range.MatchesAllSubTypes || range.SubType.Equals("json", StringComparison.OrdinalIgnoreCase))));
}
