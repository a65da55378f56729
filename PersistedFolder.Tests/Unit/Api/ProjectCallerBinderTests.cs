using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Routing;
using Moq;
using PersistedFolder.Api.Access;
using PersistedFolder.Api.Authentication;
using PersistedFolder.Api.Binding;
using PersistedFolder.Api.Errors;
using PersistedFolder.Core.Access;
using PersistedFolder.Core.Keys;

namespace PersistedFolder.Tests.Unit.Api;

[TestFixture]
public sealed class ProjectCallerBinderTests
{
    private const long UserId = 42;
    private static readonly Guid OrganizationId = Guid.Parse("0196f3a2-7c1e-7b3a-9d4e-2f1a0b9c8d7e");
    private static readonly ProjectAccess Member = new(7, OrganizationId, IsMember: true);
    private static readonly ApiError ProjectNotFound = new("invalid_request", "not_found", "Project not found.");

    private const string ValidKey = "phx_valid";

    private Mock<IProjectAccessSource> projects = null!;
    private Mock<IPersonalApiKeyStore> keys = null!;
    private ProjectCallerBinder binder = null!;

    [SetUp]
    public void SetUp()
    {
        projects = new Mock<IProjectAccessSource>();
        keys = new Mock<IPersonalApiKeyStore>();
        keys.Setup(k => k.FindActiveAsync(PersonalApiKeys.SecureValue(ValidKey), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new PersonalApiKey(Guid.CreateVersion7(), UserId, ["*"], null, null, DateTime.UtcNow));
        binder = new ProjectCallerBinder(projects.Object);
    }

    [Test]
    public async Task Unverified_key_binds_a_key_caller_for_the_operation_to_check_without_asking_anyone(
        [Values("7", "@current")] string projectId, [Values("GET", "POST")] string method)
    {
        var context = Context(method, projectId, WithUnverifiedKey("phx_anything"));

        await BindAsync(context);

        Assert.That(ProjectReference.TryParse(projectId, out var project), Is.True);
        Assert.That(context.Grant, Is.EqualTo(new ProjectCaller(new KeyCaller(PersonalApiKeys.SecureValue("phx_anything"), project))));
        projects.VerifyNoOtherCalls();
        keys.VerifyNoOtherCalls();
    }

    [Test]
    public async Task Unverified_key_with_a_malformed_project_is_verified_first_so_an_invalid_key_is_401()
    {
        var context = Context("GET", "abc", WithUnverifiedKey("phx_unknown"));

        await BindAsync(context);

        Assert.That(ProblemOf(context), Is.EqualTo((401, new ApiError("authentication_error", "authentication_failed", "Personal API key found in request Authorization header is invalid."))));
        projects.VerifyNoOtherCalls();
    }

    [Test]
    public async Task Unverified_valid_key_with_a_malformed_project_is_404()
    {
        var context = Context("GET", "abc", WithUnverifiedKey(ValidKey));

        await BindAsync(context);

        Assert.That(ProblemOf(context), Is.EqualTo((404, ProjectNotFound)));
        projects.VerifyNoOtherCalls();
    }

    [Test]
    public async Task Granted_request_binds_the_project_and_user_for_the_action()
    {
        projects.Setup(p => p.FindAsync(new ProjectReference(7), UserId, It.IsAny<CancellationToken>())).ReturnsAsync(Member);
        var context = Context("GET", "7", WithKey(["persisted_folder:read"]));

        await BindAsync(context);

        Assert.That(context.Problem, Is.Null);
        Assert.That(context.Grant, Is.EqualTo(Granted(7, UserId)));
    }

    [Test]
    public async Task Current_project_is_resolved_to_the_team_the_source_names()
    {
        projects.Setup(p => p.FindAsync(ProjectReference.Current, UserId, It.IsAny<CancellationToken>())).ReturnsAsync(Member with { TeamId = 9 });
        var context = Context("GET", "@current", WithKey(["*"]));

        await BindAsync(context);

        Assert.That(context.Grant, Is.EqualTo(Granted(9, UserId)));
    }

    [Test]
    public async Task Unparseable_project_id_is_404_without_asking_the_source(
        [Values("abc", "-1", "1.5", "", " 7", "@Current", "99999999999999999999")] string projectId)
    {
        var context = Context("GET", projectId, WithKey(["*"]));

        await BindAsync(context);

        Assert.That(ProblemOf(context), Is.EqualTo((404, ProjectNotFound)));
        projects.VerifyNoOtherCalls();
    }

    [Test]
    public async Task Missing_project_id_is_404_without_asking_the_source()
    {
        var context = Context("GET", projectId: null, WithKey(["*"]));

        await BindAsync(context);

        Assert.That(ProblemOf(context), Is.EqualTo((404, ProjectNotFound)));
        projects.VerifyNoOtherCalls();
    }

    [Test]
    public async Task Unknown_project_is_404()
    {
        projects.Setup(p => p.FindAsync(It.IsAny<ProjectReference>(), It.IsAny<long>(), It.IsAny<CancellationToken>())).ReturnsAsync((ProjectAccess?)null);
        var context = Context("GET", "7", WithKey(["*"]));

        await BindAsync(context);

        Assert.That(ProblemOf(context), Is.EqualTo((404, ProjectNotFound)));
        Assert.That(context.Grant, Is.Null);
    }

    [Test]
    public async Task Unknown_project_is_404_even_for_a_key_that_would_be_denied()
    {
        var context = Context("DELETE", "7", WithKey([], teams: [8]));

        await BindAsync(context);

        Assert.That(ProblemOf(context), Is.EqualTo((404, ProjectNotFound)));
    }

    [TestCase("GET", "persisted_folder:write")]
    [TestCase("HEAD", "persisted_folder:read")]
    [TestCase("OPTIONS", "persisted_folder:read")]
    [TestCase("GET", "*")]
    public async Task Read_methods_need_the_read_scope_or_better(string method, string scope)
    {
        KnownProject(Member);
        var context = Context(method, "7", WithKey([scope]));

        await BindAsync(context);

        Assert.That((context.Problem, context.Grant), Is.EqualTo(((ApiProblem?)null, Granted(7, UserId))));
    }

    [Test]
    public async Task Write_methods_need_the_write_scope([Values("POST", "PUT", "PATCH", "DELETE")] string method)
    {
        KnownProject(Member);
        var context = Context(method, "7", WithKey(["persisted_folder:read"]));

        await BindAsync(context);

        Assert.That(ProblemOf(context), Is.EqualTo((403, Denied("API key missing required scope 'persisted_folder:write'"))));
    }

    [Test]
    public async Task Read_without_the_read_scope_is_403()
    {
        KnownProject(Member);
        var context = Context("GET", "7", WithKey([]));

        await BindAsync(context);

        Assert.That(ProblemOf(context), Is.EqualTo((403, Denied("API key missing required scope 'persisted_folder:read'"))));
    }

    [Test]
    public async Task Key_restricted_to_other_teams_is_403_naming_the_project()
    {
        KnownProject(Member);
        var context = Context("GET", "7", WithKey(["*"], teams: [1, 2]));

        await BindAsync(context);

        Assert.That(ProblemOf(context), Is.EqualTo((403, Denied("API key does not have access to the requested project: ID 7."))));
    }

    [Test]
    public async Task Key_restricted_to_other_organizations_is_403_naming_the_organization()
    {
        KnownProject(Member);
        var context = Context("GET", "7", WithKey(["*"], organizations: [Guid.CreateVersion7()]));

        await BindAsync(context);

        Assert.That(
            ProblemOf(context),
            Is.EqualTo((403, Denied($"API key does not have access to the requested organization: ID {OrganizationId}."))));
    }

    [Test]
    public async Task Non_member_is_403_and_gets_no_scope()
    {
        KnownProject(Member with { IsMember = false });
        var context = Context("GET", "7", WithKey(["*"]));

        await BindAsync(context);

        Assert.That(ProblemOf(context), Is.EqualTo((403, Denied("You don't have access to the project."))));
        Assert.That(context.Grant, Is.Null);
    }


    [Test]
    public async Task Host_principal_skips_the_scope_checks([Values("GET", "POST", "DELETE")] string method)
    {
        KnownProject(Member);
        var context = Context(method, "7", WithHostUser("42"));

        await BindAsync(context);

        Assert.That(context.Problem, Is.Null);
        Assert.That(context.Grant, Is.EqualTo(Granted(7, UserId)));
    }

    [Test]
    public async Task Host_principal_still_needs_membership()
    {
        KnownProject(Member with { IsMember = false });
        var context = Context("GET", "7", WithHostUser("42"));

        await BindAsync(context);

        Assert.That(ProblemOf(context), Is.EqualTo((403, Denied("You don't have access to the project."))));
    }



    [Test]
    public async Task The_source_is_asked_for_the_key_owner_and_with_the_request_token()
    {
        using var aborted = new CancellationTokenSource();
        KnownProject(Member);
        var context = Context("GET", "7", WithKey(["*"]));
        context.HttpContext.RequestAborted = aborted.Token;

        await BindAsync(context);

        projects.Verify(p => p.FindAsync(new ProjectReference(7), UserId, aborted.Token), Times.Once);
    }

    private static ApiError Denied(string detail) => new("authentication_error", "permission_denied", detail);

    private static (int Status, ApiError Error)? ProblemOf(GrantContext context) =>
        context.Problem is { } problem ? (problem.Status, problem.Error) : null;

    private static ProjectCaller Granted(long teamId, long userId) => new(new GrantedCaller(teamId, userId));

    /// <summary>A key the folder request filter verified already (a host's own access source).</summary>
    private static Action<HttpContext> WithKey(string[] scopes, long[]? teams = null, Guid[]? organizations = null) => http =>
    {
        var identity = new FolderIdentity(
            UserId, new PersonalApiKey(Guid.CreateVersion7(), UserId, scopes, teams, organizations, null), PersonalApiKeyDefaults.AuthenticationScheme);
        http.User = new ClaimsPrincipal(identity);
        http.Features.Set(new FolderCallerFeature(identity));
    };

    /// <summary>A key the folder request filter left for the operation to verify (the folder tables' access source).</summary>
    private Action<HttpContext> WithUnverifiedKey(string key) => http =>
        http.Features.Set(new FolderCallerFeature(new PresentedKey(key, "Authorization header", MayBeHostToken: false), Authenticator()));

    /// <summary>A host principal (its own identity first), mapped to folder user <paramref name="userId"/>.</summary>
    private static Action<HttpContext> WithHostUser(string userId) => http =>
    {
        var principal = new ClaimsPrincipal(new ClaimsIdentity([new Claim("sub", "host-" + userId)], "Cookies"));
        var identity = new FolderIdentity(long.Parse(userId, System.Globalization.CultureInfo.InvariantCulture), key: null, "Cookies");
        principal.AddIdentity(identity);
        http.User = principal;
        http.Features.Set(new FolderCallerFeature(identity));
    };

    private FolderAuthenticator Authenticator() => new(
        keys.Object,
        Mock.Of<IHostUserDirectory>(),
        new RequestBodyReader(Microsoft.Extensions.Options.Options.Create(new RequestBodyOptions())),
        Mock.Of<IKeyUsage>(),
        Microsoft.Extensions.Options.Options.Create(new PersistedFolder.Api.PersistedFolderApiOptions()));

    private static GrantContext Context(string method, string? projectId, Action<HttpContext> authenticate)
    {
        var http = new DefaultHttpContext();
        http.Request.Method = method;
        authenticate(http);
        var route = new RouteData();
        if (projectId is not null)
        {
            route.Values["project_id"] = projectId;
        }

        return new GrantContext(new ActionContext(http, route, new ActionDescriptor()));
    }

    /// <summary>Binds the grant as MVC would; a denial is the problem the binder threw.</summary>
    private async Task BindAsync(GrantContext context)
    {
        var binding = new DefaultModelBindingContext { ActionContext = context.Action, ModelState = new ModelStateDictionary() };
        try
        {
            await binder.BindModelAsync(binding);
            context.Grant = binding.Result.Model as ProjectCaller;
        }
        catch (ApiProblemException denied)
        {
            context.Problem = denied.Problem;
        }
    }

    private void KnownProject(ProjectAccess access) =>
        projects.Setup(p => p.FindAsync(new ProjectReference(access.TeamId), UserId, It.IsAny<CancellationToken>())).ReturnsAsync(access);

    private sealed class GrantContext(ActionContext action)
    {
        public ActionContext Action { get; } = action;

        public HttpContext HttpContext => Action.HttpContext;

        public ProjectCaller? Grant { get; set; }

        public ApiProblem? Problem { get; set; }
    }
}
