using AutoMapper;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using PersistedFolder.Api.Access;
using PersistedFolder.Api.Authentication;
using PersistedFolder.Api.Binding;
using PersistedFolder.Api.Contracts;
using PersistedFolder.Api.Errors;
using PersistedFolder.Api.Json;
using PersistedFolder.Api.Pagination;
using PersistedFolder.Core.Folders;

namespace PersistedFolder.Api.Controllers;

/// <summary>
/// Every persisted-folder action, identical on every surface. A surface is a sealed subclass that
/// sets <see cref="Surface"/> and its routes, nothing else. Authentication, then the project and
/// access checks (<see cref="ProjectAccessFilter"/>), run before any action.
/// </summary>
[ApiController]
[Authorize(Policy = PersistedFolderAuthorization.Policy)]
[ServiceFilter<ProjectAccessFilter>]
[ServiceFilter<Contention.UserConcurrencyFilter>]
[ParsesOwnBody]
[RequiresJsonAccept]
[ApiJsonResult]
[Produces("application/json")]
public abstract class PersistedFolderControllerBase : ControllerBase
{
    public const string CollectionAllow = "GET, POST, HEAD, OPTIONS";
    public const string DetailAllow = "GET, PUT, PATCH, DELETE, HEAD, OPTIONS";

    private static readonly IReadOnlyList<string> Renders = ["application/json"];
    private static readonly IReadOnlyList<string> Parses = ["application/json", "application/x-www-form-urlencoded", "multipart/form-data"];

    /// <summary>The product surface this controller serves.</summary>
    protected abstract Surface Surface { get; }

    private FolderScope Scope
    {
        get
        {
            var project = HttpContext.Features.GetRequiredFeature<ProjectScopeFeature>();
            return new FolderScope(project.TeamId, project.UserId, Surface);
        }
    }

    [HttpGet]
    [HttpHead]
    [ProducesResponseType<FolderPage>(StatusCodes.Status200OK)]
    public async Task<ActionResult<FolderPage>> List(
        [FromServices] IPersistedFolderService folders,
        [FromServices] IMapper mapper,
        [FromServices] LimitOffsetPaginator paginator,
        CancellationToken cancellationToken)
    {
        var all = await folders.ListAsync(Scope, cancellationToken);
        var page = paginator.Paginate(Request, mapper.Map<List<FolderDto>>(all));
        return new FolderPage(page.Count, page.Next, page.Previous, page.Results);
    }

    [HttpPost]
    [ProducesResponseType<FolderDto>(StatusCodes.Status201Created)]
    public async Task<ActionResult<FolderDto>> Create(
        [ModelBinder<FolderInputBinder>] FolderInput input,
        [FromServices] IPersistedFolderService folders,
        [FromServices] IMapper mapper,
        CancellationToken cancellationToken)
    {
        var folder = mapper.Map<FolderDto>(await folders.CreateAsync(Scope, input, cancellationToken));
        return StatusCode(StatusCodes.Status201Created, folder);
    }

    [HttpGet("{id}")]
    [HttpHead("{id}")]
    [ProducesResponseType<FolderDto>(StatusCodes.Status200OK)]
    public async Task<ActionResult<FolderDto>> Retrieve(
        string id,
        [FromServices] IPersistedFolderService folders,
        [FromServices] IMapper mapper,
        CancellationToken cancellationToken) =>
        Found(mapper, Guid.TryParse(id, out var folderId) ? await folders.GetAsync(Scope, folderId, cancellationToken) : null);

    [HttpPut("{id}")]
    [ProducesResponseType<FolderDto>(StatusCodes.Status200OK)]
    public async Task<ActionResult<FolderDto>> Update(
        string id,
        [ModelBinder<FolderInputBinder>] FolderInput input,
        [FromServices] IPersistedFolderService folders,
        [FromServices] IMapper mapper,
        CancellationToken cancellationToken) =>
        Found(mapper, Guid.TryParse(id, out var folderId) ? await folders.ReplaceAsync(Scope, folderId, input, cancellationToken) : null);

    [HttpPatch("{id}")]
    [ProducesResponseType<FolderDto>(StatusCodes.Status200OK)]
    public async Task<ActionResult<FolderDto>> PartialUpdate(
        string id,
        [ModelBinder<FolderInputBinder>] FolderInput input,
        [FromServices] IPersistedFolderService folders,
        [FromServices] IMapper mapper,
        CancellationToken cancellationToken) =>
        Found(mapper, Guid.TryParse(id, out var folderId) ? await folders.UpdateAsync(Scope, folderId, input, cancellationToken) : null);

    [HttpDelete("{id}")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    public async Task<IActionResult> Destroy(string id, [FromServices] IPersistedFolderService folders, CancellationToken cancellationToken) =>
        Guid.TryParse(id, out var folderId) && await folders.DeleteAsync(Scope, folderId, cancellationToken)
            ? NoContent()
            : new ApiProblemResult(ApiProblems.NotFound);

    [HttpOptions]
    [ApiExplorerSettings(IgnoreApi = true)]
    public ActionResult<EndpointMetadata> CollectionOptions() => Options(CollectionAllow, "List");

    [HttpOptions("{id}")]
    [ApiExplorerSettings(IgnoreApi = true)]
    public ActionResult<EndpointMetadata> DetailOptions() => Options(DetailAllow, "Instance");

    /// <summary>Any other method on the collection: 405 after authentication, before any access check.</summary>
    [Route("")]
    [SkipProjectAccess]
    [ApiExplorerSettings(IgnoreApi = true)]
    public IActionResult CollectionMethodNotAllowed() =>
        new ApiProblemResult(ApiProblems.MethodNotAllowed(Request.Method, CollectionAllow));

    [Route("{id}")]
    [SkipProjectAccess]
    [ApiExplorerSettings(IgnoreApi = true)]
    public IActionResult DetailMethodNotAllowed() =>
        new ApiProblemResult(ApiProblems.MethodNotAllowed(Request.Method, DetailAllow));

    private static ActionResult<FolderDto> Found(IMapper mapper, Folder? folder) =>
        folder is null ? new ApiProblemResult(ApiProblems.NotFound) : mapper.Map<FolderDto>(folder);

    private ActionResult<EndpointMetadata> Options(string allow, string kind)
    {
        Response.Headers.Allow = allow;
        return new EndpointMetadata($"Persisted Folder {kind}", string.Empty, Renders, Parses);
    }
}
