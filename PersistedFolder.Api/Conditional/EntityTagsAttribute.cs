using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.Net.Http.Headers;
using PersistedFolder.Api.Contracts;
using PersistedFolder.Api.Errors;

namespace PersistedFolder.Api.Conditional;

/// <summary>
/// An <c>ETag</c> on every 200/201 that carries a folder or a page (GET, HEAD, POST, PUT, PATCH), and
/// 304 with no body on a GET/HEAD whose <c>If-None-Match</c> names it. Error answers carry none.
/// A GET/HEAD whose <c>If-Match</c> does not name it is a 412. The <c>If-Match</c> of writes is not here: it must reach the write's own SQL, see
/// <see cref="FolderEntityTags.IfMatch"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, Inherited = true)]
public sealed class EntityTagsAttribute : Attribute, IResultFilter
{
    public void OnResultExecuting(ResultExecutingContext context)
    {
        if (context.Result is not ObjectResult result || (result.StatusCode ?? StatusCodes.Status200OK) is not (StatusCodes.Status200OK or StatusCodes.Status201Created))
        {
            return;
        }

        var tag = result.Value switch
        {
            FolderDto folder => FolderEntityTags.Of(folder),
            FolderPage page => FolderEntityTags.Of(page),
            _ => null,
        };
        if (tag is null)
        {
            return;
        }

        var request = context.HttpContext.Request;
        var read = HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method);
        if (read && !FolderEntityTags.IfMatchMatches(request, tag))
        {
            // RFC 9110 §13.2.2 evaluates If-Match first, on reads as well.
            context.Result = new ApiProblemResult(ApiProblems.PreconditionFailed);
            return;
        }

        context.HttpContext.Response.Headers[HeaderNames.ETag] = tag;
        if (read && (result.StatusCode ?? StatusCodes.Status200OK) == StatusCodes.Status200OK && FolderEntityTags.IfNoneMatchMatches(request, tag))
        {
            context.Result = new StatusCodeResult(StatusCodes.Status304NotModified);
        }
    }

    public void OnResultExecuted(ResultExecutedContext context)
    {
    }
}
