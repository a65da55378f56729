using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Moq;
using PersistedFolder.Api;
using PersistedFolder.Api.Access;
using PersistedFolder.Api.Authentication;
using PersistedFolder.Api.Errors;
using PersistedFolder.Core.Access;
using PersistedFolder.Core.Keys;

namespace PersistedFolder.Tests.Unit.Api;

[TestFixture]
public sealed class ProjectAccessFilterTests
{
    private const long UserId = 42;
    private static readonly Guid OrganizationId = Guid.Parse("0196f3a2-7c1e-7b3a-9d4e-2f1a0b9c8d7e");
    private static readonly ProjectAccess Member = new(7, OrganizationId, IsMember: true);
    private static readonly ApiError ProjectNotFound = new("invalid_request", "not_found", "Project not found.");

    private Mock<IProjectAccessSource> projects = null!;
    private PersistedFolderApiOptions options = null!;
    private ProjectAccessFilter filter = null!;

    [SetUp]
    public void SetUp()
    {
        projects = new Mock<IProjectAccessSource>();
        options = new PersistedFolderApiOptions();
        filter = new ProjectAccessFilter(projects.Object, Options.Create(options));
    }

    [Test]
    public async Task Granted_request_carries_the_project_and_user_to_the_action()
    {
        projects.Setup(p => p.FindAsync(new ProjectReference(7), UserId, It.IsAny<CancellationToken>())).ReturnsAsync(Member);
        var context = Context("GET", "7", WithKey(["persisted_folder:read"]));

        await filter.OnAuthorizationAsync(context);

        Assert.That(context.Result, Is.Null);
        Assert.That(context.HttpContext.Features.Get<ProjectScopeFeature>(), Is.EqualTo(new ProjectScopeFeature(7, UserId)));
    }

    [Test]
    public async Task Current_project_is_resolved_to_the_team_the_source_names()
    {
        projects.Setup(p => p.FindAsync(ProjectReference.Current, UserId, It.IsAny<CancellationToken>())).ReturnsAsync(Member with { TeamId = 9 });
        var context = Context("GET", "@current", WithKey(["*"]));

        await filter.OnAuthorizationAsync(context);

        Assert.That(context.HttpContext.Features.Get<ProjectScopeFeature>(), Is.EqualTo(new ProjectScopeFeature(9, UserId)));
    }

    [Test]
    public async Task Unparseable_project_id_is_404_without_asking_the_source(
        [Values("abc", "-1", "1.5", "", " 7", "@Current", "99999999999999999999")] string projectId)
    {
        var context = Context("GET", projectId, WithKey(["*"]));

        await filter.OnAuthorizationAsync(context);

        Assert.That(ProblemOf(context), Is.EqualTo((404, ProjectNotFound)));
        projects.VerifyNoOtherCalls();
    }

    [Test]
    public async Task Missing_project_id_is_404_without_asking_the_source()
    {
        var context = Context("GET", projectId: null, WithKey(["*"]));

        await filter.OnAuthorizationAsync(context);

        Assert.That(ProblemOf(context), Is.EqualTo((404, ProjectNotFound)));
        projects.VerifyNoOtherCalls();
    }

    [Test]
    public async Task Unknown_project_is_404()
    {
        projects.Setup(p => p.FindAsync(It.IsAny<ProjectReference>(), It.IsAny<long>(), It.IsAny<CancellationToken>())).ReturnsAsync((ProjectAccess?)null);
        var context = Context("GET", "7", WithKey(["*"]));

        await filter.OnAuthorizationAsync(context);

        Assert.That(ProblemOf(context), Is.EqualTo((404, ProjectNotFound)));
        Assert.That(context.HttpContext.Features.Get<ProjectScopeFeature>(), Is.Null);
    }

    [Test]
    public async Task Unknown_project_is_404_even_for_a_key_that_would_be_denied()
    {
        var context = Context("DELETE", "7", WithKey([], teams: [8]));

        await filter.OnAuthorizationAsync(context);

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

        await filter.OnAuthorizationAsync(context);

        Assert.That(context.Result, Is.Null);
    }

    [Test]
    public async Task Write_methods_need_the_write_scope([Values("POST", "PUT", "PATCH", "DELETE")] string method)
    {
        KnownProject(Member);
        var context = Context(method, "7", WithKey(["persisted_folder:read"]));

        await filter.OnAuthorizationAsync(context);

        Assert.That(ProblemOf(context), Is.EqualTo((403, Denied("API key missing required scope 'persisted_folder:write'"))));
    }

    [Test]
    public async Task Read_without_the_read_scope_is_403()
    {
        KnownProject(Member);
        var context = Context("GET", "7", WithKey([]));

        await filter.OnAuthorizationAsync(context);

        Assert.That(ProblemOf(context), Is.EqualTo((403, Denied("API key missing required scope 'persisted_folder:read'"))));
    }

    [Test]
    public async Task Key_restricted_to_other_teams_is_403_naming_the_project()
    {
        KnownProject(Member);
        var context = Context("GET", "7", WithKey(["*"], teams: [1, 2]));

        await filter.OnAuthorizationAsync(context);

        Assert.That(ProblemOf(context), Is.EqualTo((403, Denied("API key does not have access to the requested project: ID 7."))));
    }

    [Test]
    public async Task Key_restricted_to_other_organizations_is_403_naming_the_organization()
    {
        KnownProject(Member);
        var context = Context("GET", "7", WithKey(["*"], organizations: [Guid.CreateVersion7()]));

        await filter.OnAuthorizationAsync(context);

        Assert.That(
            ProblemOf(context),
            Is.EqualTo((403, Denied($"API key does not have access to the requested organization: ID {OrganizationId}."))));
    }

    [Test]
    public async Task Non_member_is_403_and_gets_no_scope()
    {
        KnownProject(Member with { IsMember = false });
        var context = Context("GET", "7", WithKey(["*"]));

        await filter.OnAuthorizationAsync(context);

        Assert.That(ProblemOf(context), Is.EqualTo((403, Denied("You don't have access to the project."))));
        Assert.That(context.HttpContext.Features.Get<ProjectScopeFeature>(), Is.Null);
    }

    [Test]
    public async Task Action_marked_to_skip_project_access_is_not_checked()
    {
        var context = Context("PUT", "not-a-project", WithKey([]), new SkipProjectAccessAttribute());

        await filter.OnAuthorizationAsync(context);

        Assert.That(context.Result, Is.Null);
        Assert.That(context.HttpContext.Features.Get<ProjectScopeFeature>(), Is.Null);
        projects.VerifyNoOtherCalls();
    }

    [Test]
    public async Task Host_principal_skips_the_scope_checks([Values("GET", "POST", "DELETE")] string method)
    {
        KnownProject(Member);
        var context = Context(method, "7", WithHostUser("42"));

        await filter.OnAuthorizationAsync(context);

        Assert.That(context.Result, Is.Null);
        Assert.That(context.HttpContext.Features.Get<ProjectScopeFeature>(), Is.EqualTo(new ProjectScopeFeature(7, UserId)));
    }

    [Test]
    public async Task Host_principal_still_needs_membership()
    {
        KnownProject(Member with { IsMember = false });
        var context = Context("GET", "7", WithHostUser("42"));

        await filter.OnAuthorizationAsync(context);

        Assert.That(ProblemOf(context), Is.EqualTo((403, Denied("You don't have access to the project."))));
    }

    [Test]
    public async Task Host_principal_user_id_comes_from_the_configured_claim()
    {
        options.UserIdClaimType = "sub";
        KnownProject(Member);
        var context = Context("GET", "7", http => http.User = new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim("sub", "42"), new Claim(ClaimTypes.NameIdentifier, "1")], "Jwt")));

        await filter.OnAuthorizationAsync(context);

        Assert.That(context.HttpContext.Features.Get<ProjectScopeFeature>(), Is.EqualTo(new ProjectScopeFeature(7, UserId)));
    }

    [Test]
    public async Task Principal_without_a_usable_user_id_is_denied_without_asking_the_source([Values(null, "", "ada", "-3")] string? userId)
    {
        var context = Context("GET", "7", WithHostUser(userId));

        await filter.OnAuthorizationAsync(context);

        Assert.That(ProblemOf(context)?.Status, Is.EqualTo(403));
        projects.VerifyNoOtherCalls();
    }

    [Test]
    public async Task The_source_is_asked_for_the_key_owner_and_with_the_request_token()
    {
        using var aborted = new CancellationTokenSource();
        KnownProject(Member);
        var context = Context("GET", "7", WithKey(["*"]));
        context.HttpContext.RequestAborted = aborted.Token;

        await filter.OnAuthorizationAsync(context);

        projects.Verify(p => p.FindAsync(new ProjectReference(7), UserId, aborted.Token), Times.Once);
    }

    private static ApiError Denied(string detail) => new("authentication_error", "permission_denied", detail);

    private static (int Status, ApiError Error)? ProblemOf(AuthorizationFilterContext context) =>
        context.Result is ApiProblemResult { Problem: var problem } ? (problem.Status, problem.Error) : null;

    private static Action<HttpContext> WithKey(string[] scopes, long[]? teams = null, Guid[]? organizations = null) => http =>
    {
        http.Features.Set(new PersonalApiKeyFeature(new PersonalApiKey(Guid.CreateVersion7(), UserId, scopes, teams, organizations, null)));
        http.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, "42")], "PersonalApiKey"));
    };

    private static Action<HttpContext> WithHostUser(string? userId) => http =>
        http.User = new ClaimsPrincipal(new ClaimsIdentity(
            userId is null ? [] : [new Claim(ClaimTypes.NameIdentifier, userId)], "Cookies"));

    private static AuthorizationFilterContext Context(string method, string? projectId, Action<HttpContext> authenticate, params object[] metadata)
    {
        var http = new DefaultHttpContext();
        http.Request.Method = method;
        authenticate(http);
        var route = new RouteData();
        if (projectId is not null)
        {
            route.Values["project_id"] = projectId;
        }

        var action = new ActionContext(http, route, new ActionDescriptor { EndpointMetadata = [.. metadata] });
        return new AuthorizationFilterContext(action, []);
    }

    private void KnownProject(ProjectAccess access) =>
        projects.Setup(p => p.FindAsync(new ProjectReference(access.TeamId), UserId, It.IsAny<CancellationToken>())).ReturnsAsync(access);
}
