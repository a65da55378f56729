using Asp.Versioning;
using AutoMapper;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using PersistedFolder.Api.Access;
using PersistedFolder.Api.Binding;
using PersistedFolder.Api.Conditional;
using PersistedFolder.Api.Contracts;
using PersistedFolder.Api.Errors;
using PersistedFolder.Api.Json;
using PersistedFolder.Api.OpenApi;
using PersistedFolder.Api.Pagination;
using PersistedFolder.Core.Folders;

namespace PersistedFolder.Api.Controllers;

/// <summary>
/// Every persisted-folder action, identical on every surface. A surface is a sealed subclass that
/// sets <see cref="Surface"/> and its routes, nothing else. Everything the API does to a request is
/// attached here, to its own endpoints: <see cref="FolderRequestFilter"/> (version, authentication,
/// rate limit, error bodies) runs first, then the action's <see cref="ProjectCaller"/> is bound: a
/// personal API key that the operation verifies and checks in its own statement, or a caller already
/// checked. Either way a denial is answered before the body is looked at.
/// </summary>
/// <remarks>
/// <see cref="AllowAnonymousAttribute"/> is for the host's authorization (a fallback policy, a global
/// <c>AuthorizeFilter</c>): the folder endpoints authenticate their requests themselves.
/// <see cref="ApiVersionNeutralAttribute"/> is for a host's own Asp.Versioning: the folder endpoints
/// negotiate their version themselves (<see cref="Versioning.FolderApiVersions"/>).
/// </remarks>
[ApiController]
[AllowAnonymous]
[ApiVersionNeutral]
[ServiceFilter<FolderRequestFilter>(Order = int.MinValue)]
[ParsesOwnBody]
[RequiresJsonAccept]
[ApiJsonResult]
[EntityTags]
[Produces("application/json")]
[ApiExplorerSettings(GroupName = PersistedFolderOpenApi.DocumentName)]
public abstract class PersistedFolderControllerBase : ControllerBase
{
    public const string CollectionAllow = "GET, POST, HEAD, OPTIONS";
    public const string DetailAllow = "GET, PUT, PATCH, DELETE, HEAD, OPTIONS";

    private static readonly IReadOnlyList<string> Renders = ["application/json"];
    private static readonly IReadOnlyList<string> Parses = ["application/json", "application/x-www-form-urlencoded", "multipart/form-data"];

    /// <summary>The product surface this controller serves.</summary>
    protected abstract Surface Surface { get; }

    [HttpGet]
    [HttpHead]
    [ProducesResponseType<FolderPage>(StatusCodes.Status200OK)]
    public async Task<ActionResult<FolderPage>> List(
        ProjectCaller caller,
        [FromServices] IPersistedFolderService folders,
        [FromKeyedServices(PersistedFolderApi.ServiceKey)] IMapper mapper,
        [FromServices] LimitOffsetPaginator paginator,
        CancellationToken cancellationToken)
    {
        var all = await folders.ListAsync(Scope(caller), cancellationToken);
        var page = paginator.Paginate(Request, mapper.Map<List<FolderDto>>(all));
        return new FolderPage(page.Count, page.Next, page.Previous, page.Results);
    }

    [HttpPost]
    [ProducesResponseType<FolderDto>(StatusCodes.Status201Created)]
    public async Task<ActionResult<FolderDto>> Create(
        ProjectCaller caller,
        FolderBody body,
        [FromServices] IPersistedFolderService folders,
        [FromKeyedServices(PersistedFolderApi.ServiceKey)] IMapper mapper,
        CancellationToken cancellationToken)
    {
        if (body.Problem is { } unreadable)
        {
            // Access is answered before the body (a query only on this error path).
            await folders.CheckAccessAsync(Scope(caller), write: true, cancellationToken);
            return new ApiProblemResult(unreadable);
        }

        var folder = mapper.Map<FolderDto>(await folders.CreateAsync(Scope(caller), body.Input, cancellationToken));
        return StatusCode(StatusCodes.Status201Created, folder);
    }

    [HttpGet("{id}")]
    [HttpHead("{id}")]
    [ProducesResponseType<FolderDto>(StatusCodes.Status200OK)]
    public async Task<ActionResult<FolderDto>> Retrieve(
        ProjectCaller caller,
        string id,
        [FromServices] IPersistedFolderService folders,
        [FromKeyedServices(PersistedFolderApi.ServiceKey)] IMapper mapper,
        CancellationToken cancellationToken) =>
        Guid.TryParse(id, out var folderId)
            ? Found(mapper, await folders.GetAsync(Scope(caller), folderId, cancellationToken))
            : await NoSuchFolderAsync(Scope(caller), write: false, folders, cancellationToken);

    [HttpPut("{id}")]
    [ProducesResponseType<FolderDto>(StatusCodes.Status200OK)]
    public Task<ActionResult<FolderDto>> Update(
        ProjectCaller caller,
        string id,
        FolderBody body,
        [FromServices] IPersistedFolderService folders,
        [FromKeyedServices(PersistedFolderApi.ServiceKey)] IMapper mapper,
        CancellationToken cancellationToken) =>
        ChangeAsync(caller, id, body, folders.ReplaceAsync, folders, mapper, cancellationToken);

    [HttpPatch("{id}")]
    [ProducesResponseType<FolderDto>(StatusCodes.Status200OK)]
    public Task<ActionResult<FolderDto>> PartialUpdate(
        ProjectCaller caller,
        string id,
        FolderBody body,
        [FromServices] IPersistedFolderService folders,
        [FromKeyedServices(PersistedFolderApi.ServiceKey)] IMapper mapper,
        CancellationToken cancellationToken) =>
        ChangeAsync(caller, id, body, folders.UpdateAsync, folders, mapper, cancellationToken);

    [HttpDelete("{id}")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    public async Task<IActionResult> Destroy(
        ProjectCaller caller, string id, [FromServices] IPersistedFolderService folders, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(id, out var folderId))
        {
            return await NoSuchFolderAsync(Scope(caller), write: true, folders, cancellationToken);
        }

        return await folders.DeleteAsync(Scope(caller), folderId, FolderEntityTags.IfMatch(Request, folderId), cancellationToken)
            ? NoContent()
            : new ApiProblemResult(ApiProblems.NotFound);
    }

    [HttpOptions]
    [ApiExplorerSettings(IgnoreApi = true)]
    public Task<ActionResult<EndpointMetadata>> CollectionOptions(ProjectCaller caller, [FromServices] IPersistedFolderService folders, CancellationToken cancellationToken) =>
        OptionsAsync(caller, folders, CollectionAllow, "List", cancellationToken);

    [HttpOptions("{id}")]
    [ApiExplorerSettings(IgnoreApi = true)]
    public Task<ActionResult<EndpointMetadata>> DetailOptions(ProjectCaller caller, [FromServices] IPersistedFolderService folders, CancellationToken cancellationToken) =>
        OptionsAsync(caller, folders, DetailAllow, "Instance", cancellationToken);

    /// <summary>Any other method on the collection: 405 after authentication, before any access check.</summary>
    [Route("")]
    [ApiExplorerSettings(IgnoreApi = true)]
    public IActionResult CollectionMethodNotAllowed() =>
        new ApiProblemResult(ApiProblems.MethodNotAllowed(Request.Method, CollectionAllow));

    [Route("{id}")]
    [ApiExplorerSettings(IgnoreApi = true)]
    public IActionResult DetailMethodNotAllowed() =>
        new ApiProblemResult(ApiProblems.MethodNotAllowed(Request.Method, DetailAllow));

    private FolderScope Scope(ProjectCaller caller) => new(caller.Caller, Surface);

    /// <summary>PUT and PATCH: an unknown folder is a 404 before anything the body says (PostHog looks it up first).</summary>
    private async Task<ActionResult<FolderDto>> ChangeAsync(
        ProjectCaller caller,
        string id,
        FolderBody body,
        Func<FolderScope, Guid, FolderInput, FolderPrecondition, CancellationToken, Task<Folder?>> change,
        IPersistedFolderService folders,
        IMapper mapper,
        CancellationToken cancellationToken)
    {
        var scope = Scope(caller);
        if (!Guid.TryParse(id, out var folderId))
        {
            return await NoSuchFolderAsync(scope, write: true, folders, cancellationToken);
        }

        if (body.Problem is { } unreadable)
        {
            await folders.CheckAccessAsync(scope, write: true, cancellationToken);
            return await folders.GetAsync(scope, folderId, cancellationToken) is null
                ? new ApiProblemResult(ApiProblems.NotFound)
                : new ApiProblemResult(unreadable);
        }

        return Found(mapper, await change(scope, folderId, body.Input, FolderEntityTags.IfMatch(Request, folderId), cancellationToken));
    }

    /// <summary>An id that is not even a UUID names no folder: a 404, once access is granted (401/404/403 first).</summary>
    private static async Task<ApiProblemResult> NoSuchFolderAsync(FolderScope scope, bool write, IPersistedFolderService folders, CancellationToken cancellationToken)
    {
        await folders.CheckAccessAsync(scope, write, cancellationToken);
        return new ApiProblemResult(ApiProblems.NotFound);
    }

    private static ActionResult<FolderDto> Found(IMapper mapper, Folder? folder) =>
        folder is null ? new ApiProblemResult(ApiProblems.NotFound) : mapper.Map<FolderDto>(folder);

    private async Task<ActionResult<EndpointMetadata>> OptionsAsync(ProjectCaller caller, IPersistedFolderService folders, string allow, string kind, CancellationToken cancellationToken)
    {
        await folders.CheckAccessAsync(Scope(caller), write: false, cancellationToken);
        Response.Headers.Allow = allow;
        return new EndpointMetadata($"Persisted Folder {kind}", string.Empty, Renders, Parses);
    }
}
