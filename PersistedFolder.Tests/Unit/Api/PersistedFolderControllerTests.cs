using AutoMapper;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Moq;
using PersistedFolder.Api.Access;
using PersistedFolder.Api.Binding;
using PersistedFolder.Api.Contracts;
using PersistedFolder.Api.Controllers;
using PersistedFolder.Api.Errors;
using PersistedFolder.Api.Pagination;
using PersistedFolder.Core.Access;
using PersistedFolder.Core.Folders;

namespace PersistedFolder.Tests.Unit.Api;

/// <summary>The actions of <see cref="PersistedFolderControllerBase"/>, once for every surface.</summary>
[TestFixture("web")]
[TestFixture("desktop")]
public sealed class PersistedFolderControllerTests(string surface)
{
    private const long TeamId = 7;
    private const long UserId = 42;
    private static readonly DateTime Created = new(2026, 5, 23, 10, 15, 30, 123, 456, DateTimeKind.Utc);
    private static readonly Folder Custom = new(Guid.Parse("0196f3a2-7c1e-7b3a-9d4e-000000000001"), "custom_products", "products://", string.Empty, Created, Created);
    private static readonly Folder Home = new(Guid.Parse("0196f3a2-7c1e-7b3a-9d4e-000000000002"), "home", "products://", "Root/Home", Created, Created.AddSeconds(1));
    private static readonly Folder Pinned = new(Guid.Parse("0196f3a2-7c1e-7b3a-9d4e-000000000003"), "pinned", "https://", "Root/Pinned", Created, Created);
    private static readonly FolderInput HomeInput = new(FieldValue.Of("home"), FieldValue.Missing, FieldValue.Of("Root/Home"));
    private static readonly ApiError NotFound = new("invalid_request", "not_found", "Not found.");

    private readonly IMapper mapper = new MapperConfiguration(cfg => cfg.AddProfile<FolderDtoProfile>()).CreateMapper();
    private readonly LimitOffsetPaginator paginator = new(Options.Create(new PaginationOptions()));

    private Mock<IPersistedFolderService> folders = null!;
    private PersistedFolderControllerBase controller = null!;
    private DefaultHttpContext http = null!;
    private CancellationTokenSource cancellation = null!;

    private static readonly ProjectCaller Grant = new(new GrantedCaller(TeamId, UserId));

    private FolderScope Scope => new(TeamId, UserId, new Surface(surface));

    private CancellationToken Token => cancellation.Token;

    [SetUp]
    public void SetUp()
    {
        folders = new Mock<IPersistedFolderService>();
        cancellation = new CancellationTokenSource();
        http = new DefaultHttpContext();
        http.Request.Scheme = "http";
        http.Request.Host = new HostString("testserver");
        http.Request.Path = $"/api/projects/{TeamId}/{(surface == "web" ? "persisted_folder" : "desktop_persisted_folder")}/";

        controller = surface switch
        {
            "web" => new WebPersistedFolderController(),
            "desktop" => new DesktopPersistedFolderController(),
            _ => throw new ArgumentOutOfRangeException(nameof(surface), surface, "Unknown surface."),
        };
        controller.ControllerContext = new ControllerContext { HttpContext = http };
    }

    [TearDown]
    public void TearDown() => cancellation.Dispose();

    [Test]
    public async Task Service_sees_the_surface_of_the_controller_and_the_granted_project_and_user()
    {
        FolderScope? seen = null;
        folders.Setup(f => f.ListAsync(It.IsAny<FolderScope>(), It.IsAny<CancellationToken>()))
            .Callback<FolderScope, CancellationToken>((scope, _) => seen = scope)
            .ReturnsAsync([]);

        await controller.List(Grant, folders.Object, mapper, paginator, Token);

        Assert.That(seen, Is.EqualTo(new FolderScope(TeamId, UserId, new Surface(surface))));
    }

    [Test]
    public async Task Service_sees_a_key_caller_as_bound_for_its_operation_to_check()
    {
        var key = new KeyCaller("sha256$00", ProjectReference.Current);
        folders.Setup(f => f.ListAsync(new FolderScope(key, new Surface(surface)), Token)).ReturnsAsync([Home]);

        var page = (await controller.List(new ProjectCaller(key), folders.Object, mapper, paginator, Token)).Value!;

        Assert.That(page.Results, Is.EqualTo(new[] { Dto(Home) }));
    }

    [Test]
    public async Task List_returns_every_folder_in_one_page()
    {
        folders.Setup(f => f.ListAsync(Scope, Token)).ReturnsAsync([Custom, Home, Pinned]);

        var page = (await controller.List(Grant, folders.Object, mapper, paginator, Token)).Value;

        Assert.That(page, Is.Not.Null);
        Assert.That((page!.Count, page.Next, page.Previous), Is.EqualTo((3, (string?)null, (string?)null)));
        Assert.That(page.Results, Is.EqualTo(new[] { Dto(Custom), Dto(Home), Dto(Pinned) }));
    }

    [Test]
    public async Task List_paginates_with_the_request_query()
    {
        http.Request.QueryString = new QueryString("?limit=1&offset=1");
        folders.Setup(f => f.ListAsync(Scope, Token)).ReturnsAsync([Custom, Home, Pinned]);

        var page = (await controller.List(Grant, folders.Object, mapper, paginator, Token)).Value!;

        var url = $"http://testserver{http.Request.Path}";
        Assert.That(
            (page.Count, page.Next, page.Previous, page.Results.Single()),
            Is.EqualTo((3, $"{url}?limit=1&offset=2", $"{url}?limit=1", Dto(Home))));
    }

    [Test]
    public async Task Create_returns_201_with_the_saved_folder()
    {
        folders.Setup(f => f.CreateAsync(Scope, HomeInput, Token)).ReturnsAsync(Home);

        var result = (await controller.Create(Grant, new FolderBody(HomeInput), folders.Object, mapper, Token)).Result as ObjectResult;

        Assert.That((result?.StatusCode, result?.Value), Is.EqualTo(((int?)StatusCodes.Status201Created, (object)Dto(Home))));
    }

    [Test]
    public void Create_lets_a_validation_error_reach_the_exception_handler()
    {
        folders.Setup(f => f.CreateAsync(Scope, FolderInput.Empty, Token)).ThrowsAsync(new FolderValidationException("required", "This field is required.", "type"));

        Assert.That(() => controller.Create(Grant, new FolderBody(FolderInput.Empty), folders.Object, mapper, Token), Throws.TypeOf<FolderValidationException>());
    }

    [Test]
    public async Task Retrieve_returns_the_folder()
    {
        folders.Setup(f => f.GetAsync(Scope, Home.Id, Token)).ReturnsAsync(Home);

        var result = await controller.Retrieve(Grant, Home.Id.ToString(), folders.Object, mapper, Token);

        Assert.That(result.Value, Is.EqualTo(Dto(Home)));
    }

    [Test]
    public async Task Retrieve_an_unknown_id_is_not_found()
    {
        var result = await controller.Retrieve(Grant, Guid.CreateVersion7().ToString(), folders.Object, mapper, Token);

        Assert.That(ProblemOf(result.Result), Is.EqualTo((404, NotFound)));
    }

    [Test]
    public async Task Retrieve_a_malformed_id_is_not_found_once_read_access_is_checked(
        [Values("not-a-uuid", "123", "0196f3a2-7c1e-7b3a-9d4e-2f1a0b9c8d7", "0196f3a2-7c1e-7b3a-9d4e-2f1a0b9c8d7ez")] string id)
    {
        var result = await controller.Retrieve(Grant, id, folders.Object, mapper, Token);

        Assert.That(ProblemOf(result.Result), Is.EqualTo((404, NotFound)));
        folders.Verify(f => f.CheckAccessAsync(Scope, false, Token));
        folders.VerifyNoOtherCalls();
    }

    [Test]
    public async Task Replace_returns_the_changed_folder()
    {
        folders.Setup(f => f.ReplaceAsync(Scope, Home.Id, HomeInput, FolderPrecondition.None, Token)).ReturnsAsync(Home);

        var result = await controller.Update(Grant, Home.Id.ToString(), new FolderBody(HomeInput), folders.Object, mapper, Token);

        Assert.That(result.Value, Is.EqualTo(Dto(Home)));
    }

    [Test]
    public async Task Partial_update_returns_the_changed_folder()
    {
        folders.Setup(f => f.UpdateAsync(Scope, Home.Id, FolderInput.Empty, FolderPrecondition.None, Token)).ReturnsAsync(Home);

        var result = await controller.PartialUpdate(Grant, Home.Id.ToString(), new FolderBody(FolderInput.Empty), folders.Object, mapper, Token);

        Assert.That(result.Value, Is.EqualTo(Dto(Home)));
    }

    [Test]
    public async Task Changing_an_unknown_folder_is_not_found([Values] bool replace)
    {
        var id = Guid.CreateVersion7().ToString();

        var result = replace
            ? await controller.Update(Grant, id, new FolderBody(HomeInput), folders.Object, mapper, Token)
            : await controller.PartialUpdate(Grant, id, new FolderBody(HomeInput), folders.Object, mapper, Token);

        Assert.That(ProblemOf(result.Result), Is.EqualTo((404, NotFound)));
    }

    [Test]
    public async Task Changing_a_malformed_id_is_not_found_once_write_access_is_checked([Values] bool replace)
    {
        var result = replace
            ? await controller.Update(Grant, "nope", new FolderBody(HomeInput), folders.Object, mapper, Token)
            : await controller.PartialUpdate(Grant, "nope", new FolderBody(HomeInput), folders.Object, mapper, Token);

        Assert.That(ProblemOf(result.Result), Is.EqualTo((404, NotFound)));
        folders.Verify(f => f.CheckAccessAsync(Scope, true, Token));
        folders.VerifyNoOtherCalls();
    }

    [Test]
    public async Task Destroy_a_folder_is_204()
    {
        folders.Setup(f => f.DeleteAsync(Scope, Home.Id, FolderPrecondition.None, Token)).ReturnsAsync(true);

        var result = await controller.Destroy(Grant, Home.Id.ToString(), folders.Object, Token);

        Assert.That(result, Is.TypeOf<NoContentResult>());
    }

    [Test]
    public async Task Destroy_an_unknown_folder_is_not_found()
    {
        folders.Setup(f => f.DeleteAsync(Scope, Home.Id, FolderPrecondition.None, Token)).ReturnsAsync(false);

        Assert.That(ProblemOf(await controller.Destroy(Grant, Home.Id.ToString(), folders.Object, Token)), Is.EqualTo((404, NotFound)));
    }

    [Test]
    public async Task Destroy_a_malformed_id_is_not_found_once_write_access_is_checked()
    {
        Assert.That(ProblemOf(await controller.Destroy(Grant, "../etc", folders.Object, Token)), Is.EqualTo((404, NotFound)));
        folders.Verify(f => f.CheckAccessAsync(Scope, true, Token));
        folders.VerifyNoOtherCalls();
    }

    [Test]
    public async Task Options_on_the_collection_answers_its_methods_once_read_access_is_checked()
    {
        await controller.CollectionOptions(Grant, folders.Object, Token);

        Assert.That(http.Response.Headers.Allow.ToString(), Is.EqualTo("GET, POST, HEAD, OPTIONS"));
        folders.Verify(f => f.CheckAccessAsync(Scope, false, Token));
    }

    [Test]
    public async Task Options_on_a_folder_answers_its_methods_once_read_access_is_checked()
    {
        await controller.DetailOptions(Grant, folders.Object, Token);

        Assert.That(http.Response.Headers.Allow.ToString(), Is.EqualTo("GET, PUT, PATCH, DELETE, HEAD, OPTIONS"));
        folders.Verify(f => f.CheckAccessAsync(Scope, false, Token));
    }

    [Test]
    public void Another_method_on_the_collection_is_405_with_allow()
    {
        http.Request.Method = "PUT";

        var problem = (controller.CollectionMethodNotAllowed() as ApiProblemResult)?.Problem;

        Assert.That(
            (problem?.Status, problem?.Error, problem?.Headers?["Allow"]),
            Is.EqualTo(((int?)405, new ApiError("invalid_request", "method_not_allowed", "Method \"PUT\" not allowed."), "GET, POST, HEAD, OPTIONS")));
    }

    [Test]
    public void Another_method_on_a_folder_is_405_with_allow()
    {
        http.Request.Method = "POST";

        var problem = (controller.DetailMethodNotAllowed() as ApiProblemResult)?.Problem;

        Assert.That(
            (problem?.Status, problem?.Error, problem?.Headers?["Allow"]),
            Is.EqualTo(((int?)405, new ApiError("invalid_request", "method_not_allowed", "Method \"POST\" not allowed."), "GET, PUT, PATCH, DELETE, HEAD, OPTIONS")));
    }

    private static FolderDto Dto(Folder folder) =>
        new(folder.Id, folder.Type, folder.Protocol, folder.Path, folder.CreatedAt, folder.UpdatedAt);

    private static (int Status, ApiError Error)? ProblemOf(IActionResult? result) =>
        result is ApiProblemResult { Problem: var problem } ? (problem.Status, problem.Error) : null;
}
