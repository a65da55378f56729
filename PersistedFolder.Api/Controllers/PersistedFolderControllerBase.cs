using Asp.Versioning;
using AutoMapper;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using PersistedFolder.Api.Access;
using PersistedFolder.Api.Binding;
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
/// rate limit, error bodies) runs first, then the project and access checks bind the action's
/// <see cref="ProjectGrant"/>.
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
        ProjectGrant grant,
        [FromServices] IPersistedFolderService folders,
        [FromKeyedServices(PersistedFolderApi.ServiceKey)] IMapper mapper,
        [FromServices] LimitOffsetPaginator paginator,
        CancellationToken cancellationToken)
    {
        var all = await folders.ListAsync(Scope(grant), cancellationToken);
        var page = paginator.Paginate(Request, mapper.Map<List<FolderDto>>(all));
        return new FolderPage(page.Count, page.Next, page.Previous, page.Results);
    }

    [HttpPost]
    [ProducesResponseType<FolderDto>(StatusCodes.Status201Created)]
    public async Task<ActionResult<FolderDto>> Create(
        ProjectGrant grant,
        FolderBody body,
        [FromServices] IPersistedFolderService folders,
        [FromKeyedServices(PersistedFolderApi.ServiceKey)] IMapper mapper,
        CancellationToken cancellationToken)
    {
        if (body.Problem is { } unreadable)
        {
            return new ApiProblemResult(unreadable);
        }

        var folder = mapper.Map<FolderDto>(await folders.CreateAsync(Scope(grant), body.Input, cancellationToken));
        return StatusCode(StatusCodes.Status201Created, folder);
    }

    [HttpGet("{id}")]
    [HttpHead("{id}")]
    [ProducesResponseType<FolderDto>(StatusCodes.Status200OK)]
    public async Task<ActionResult<FolderDto>> Retrieve(
        ProjectGrant grant,
        string id,
        [FromServices] IPersistedFolderService folders,
        [FromKeyedServices(PersistedFolderApi.ServiceKey)] IMapper mapper,
        CancellationToken cancellationToken) =>
        Found(mapper, Guid.TryParse(id, out var folderId) ? await folders.GetAsync(Scope(grant), folderId, cancellationToken) : null);

    [HttpPut("{id}")]
    [ProducesResponseType<FolderDto>(StatusCodes.Status200OK)]
    public Task<ActionResult<FolderDto>> Update(
        ProjectGrant grant,
        string id,
        FolderBody body,
        [FromServices] IPersistedFolderService folders,
        [FromKeyedServices(PersistedFolderApi.ServiceKey)] IMapper mapper,
        CancellationToken cancellationToken) =>
        ChangeAsync(grant, id, body, folders.ReplaceAsync, folders, mapper, cancellationToken);

    [HttpPatch("{id}")]
    [ProducesResponseType<FolderDto>(StatusCodes.Status200OK)]
    public Task<ActionResult<FolderDto>> PartialUpdate(
        ProjectGrant grant,
        string id,
        FolderBody body,
        [FromServices] IPersistedFolderService folders,
        [FromKeyedServices(PersistedFolderApi.ServiceKey)] IMapper mapper,
        CancellationToken cancellationToken) =>
        ChangeAsync(grant, id, body, folders.UpdateAsync, folders, mapper, cancellationToken);

    [HttpDelete("{id}")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    public async Task<IActionResult> Destroy(
        ProjectGrant grant, string id, [FromServices] IPersistedFolderService folders, CancellationToken cancellationToken) =>
        Guid.TryParse(id, out var folderId) && await folders.DeleteAsync(Scope(grant), folderId, cancellationToken)
            ? NoContent()
            : new ApiProblemResult(ApiProblems.NotFound);

    [HttpOptions]
    [ApiExplorerSettings(IgnoreApi = true)]
    public ActionResult<EndpointMetadata> CollectionOptions(ProjectGrant grant) => Options(CollectionAllow, "List");

    [HttpOptions("{id}")]
    [ApiExplorerSettings(IgnoreApi = true)]
    public ActionResult<EndpointMetadata> DetailOptions(ProjectGrant grant) => Options(DetailAllow, "Instance");

    /// <summary>Any other method on the collection: 405 after authentication, before any access check.</summary>
    [Route("")]
    [ApiExplorerSettings(IgnoreApi = true)]
    public IActionResult CollectionMethodNotAllowed() =>
        new ApiProblemResult(ApiProblems.MethodNotAllowed(Request.Method, CollectionAllow));

    [Route("{id}")]
    [ApiExplorerSettings(IgnoreApi = true)]
    public IActionResult DetailMethodNotAllowed() =>
        new ApiProblemResult(ApiProblems.MethodNotAllowed(Request.Method, DetailAllow));

    private FolderScope Scope(ProjectGrant grant) => new(grant.TeamId, grant.UserId, Surface);

    /// <summary>PUT and PATCH: an unknown folder is a 404 before anything the body says (PostHog looks it up first).</summary>
    private async Task<ActionResult<FolderDto>> ChangeAsync(
        ProjectGrant grant,
        string id,
        FolderBody body,
        Func<FolderScope, Guid, FolderInput, CancellationToken, Task<Folder?>> change,
        IPersistedFolderService folders,
        IMapper mapper,
        CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(id, out var folderId))
        {
            return new ApiProblemResult(ApiProblems.NotFound);
        }

        var scope = Scope(grant);
        if (body.Problem is { } unreadable)
        {
            return await folders.GetAsync(scope, folderId, cancellationToken) is null
                ? new ApiProblemResult(ApiProblems.NotFound)
                : new ApiProblemResult(unreadable);
        }

        return Found(mapper, await change(scope, folderId, body.Input, cancellationToken));
    }

    private static ActionResult<FolderDto> Found(IMapper mapper, Folder? folder) =>
        folder is null ? new ApiProblemResult(ApiProblems.NotFound) : mapper.Map<FolderDto>(folder);

    private ActionResult<EndpointMetadata> Options(string allow, string kind)
    {
        Response.Headers.Allow = allow;
        return new EndpointMetadata($"Persisted Folder {kind}", string.Empty, Renders, Parses);
    }
}
