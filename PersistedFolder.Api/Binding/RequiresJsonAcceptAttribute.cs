using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.Net.Http.Headers;
using PersistedFolder.Api.Errors;

namespace PersistedFolder.Api.Binding;

/// <summary>
/// The folder endpoints render JSON only: an <c>Accept</c> header that rules JSON out is a 406,
/// as DRF's content negotiation answers it. No <c>Accept</c>, <c>*/*</c> or <c>application/*</c> is fine.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class RequiresJsonAcceptAttribute : Attribute, IResourceFilter
{
    public void OnResourceExecuting(ResourceExecutingContext context)
    {
        var accept = context.HttpContext.Request.Headers.Accept;
        if (accept.Count == 0 || !MediaTypeHeaderValue.TryParseList(accept, out var ranges) || ranges.Count == 0)
        {
            return;
        }

        if (!ranges.Any(AllowsJson))
        {
            context.Result = new ApiProblemResult(ApiProblems.NotAcceptable);
        }
    }

    // Parameters such as indent=4 do not matter, as in DRF.
    private static bool AllowsJson(MediaTypeHeaderValue range) =>
        range.Quality is not 0
        && (range.MatchesAllTypes
            || (range.Type.Equals("application", StringComparison.OrdinalIgnoreCase)
                && (range.MatchesAllSubTypes || range.SubType.Equals("json", StringComparison.OrdinalIgnoreCase))));

    public void OnResourceExecuted(ResourceExecutedContext context)
    {
    }
}
