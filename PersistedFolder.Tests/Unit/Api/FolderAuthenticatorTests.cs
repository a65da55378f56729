using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Moq;
using PersistedFolder.Api;
using PersistedFolder.Api.Authentication;
using PersistedFolder.Api.Binding;
using PersistedFolder.Api.Errors;
using PersistedFolder.Core.Access;
using PersistedFolder.Core.Keys;

namespace PersistedFolder.Tests.Unit.Api;

/// <summary>SPEC §4: where a personal API key is read from, the 401 wording for each place, and host principals.</summary>
[TestFixture]
public sealed class FolderAuthenticatorTests
{
    private const string Valid = "phx_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG";
    private const string Unknown = "phx_unknownunknownunknownunknownunknownunknownu";
    private const string HostScheme = "Host";
    private static readonly PersonalApiKey Stored = new(Guid.CreateVersion7(), 42, ["*"], null, null, DateTime.UtcNow);

    private Mock<IPersonalApiKeyStore> store = null!;
    private Mock<IHostUserDirectory> hostUsers = null!;
    private Mock<IAuthenticationService> hostAuthentication = null!;
    private PersistedFolderApiOptions options = null!;
    private KeyUsageRecorder usage = null!;
    private FolderAuthenticator authenticator = null!;

    [SetUp]
    public void SetUp()
    {
        store = new Mock<IPersonalApiKeyStore>();
        store.Setup(s => s.FindActiveAsync(PersonalApiKeys.SecureValue(Valid), It.IsAny<CancellationToken>())).ReturnsAsync(Stored);
        hostUsers = new Mock<IHostUserDirectory>();
        hostAuthentication = new Mock<IAuthenticationService>();
        hostAuthentication.Setup(a => a.AuthenticateAsync(It.IsAny<HttpContext>(), It.IsAny<string?>())).ReturnsAsync(AuthenticateResult.NoResult());
        options = new PersistedFolderApiOptions();
        usage = new KeyUsageRecorder(store.Object, TimeProvider.System, Microsoft.Extensions.Options.Options.Create(new KeyUsageOptions()), NullLogger<KeyUsageRecorder>.Instance);
        authenticator = new FolderAuthenticator(
            store.Object,
            hostUsers.Object,
            new RequestBodyReader(Options.Create(new RequestBodyOptions())),
            usage,
            Options.Create(options));
    }

    [TearDown]
    public void TearDown() => usage.Dispose();

    [Test]
    public async Task No_key_anywhere_is_no_result()
    {
        var (identity, problem, _) = await Authenticate();

        Assert.That((identity, problem), Is.EqualTo(((FolderIdentity?)null, ApiProblems.NotAuthenticated)));
        store.VerifyNoOtherCalls();
    }

    [TestCase("Bearer " + Valid)]
    [TestCase("Bearer\t" + Valid)]
    [TestCase("Bearer   " + Valid + "  ")]
    public async Task Bearer_header_key_authenticates_its_user(string authorization)
    {
        var (identity, _, _) = await Authenticate(authorization: authorization);

        Assert.That(identity?.FindFirst(ClaimTypes.NameIdentifier)?.Value, Is.EqualTo("42"));
        Assert.That((identity?.UserId, identity?.Key), Is.EqualTo(((long?)42, Stored)));
    }

    [Test]
    public async Task Body_key_authenticates([Values("application/json", "application/x-www-form-urlencoded")] string contentType)
    {
        var body = contentType == "application/json" ? $$"""{"personal_api_key":"{{Valid}}"}""" : $"personal_api_key={Valid}";

        var (identity, _, _) = await Authenticate(contentType: contentType, body: body);

        Assert.That(identity?.Key, Is.EqualTo(Stored));
    }

    [Test]
    public async Task Query_key_authenticates()
    {
        var (identity, _, _) = await Authenticate(query: $"?personal_api_key={Valid}");

        Assert.That(identity?.Key, Is.EqualTo(Stored));
    }

    [TestCase("Bearer " + Unknown, null, null, "Authorization header")]
    [TestCase(null, "{\"personal_api_key\":\"" + Unknown + "\"}", null, "body")]
    [TestCase(null, null, "?personal_api_key=" + Unknown, "query string")]
    public async Task Unknown_key_fails_naming_where_it_was_found(string? authorization, string? body, string? query, string where)
    {
        var (identity, problem, _) = await Authenticate(authorization, body is null ? null : "application/json", body, query);

        Assert.That(identity, Is.Null);
        Assert.That(
            (problem?.Status, problem?.Error, problem?.Headers?["WWW-Authenticate"]),
            Is.EqualTo((
                (int?)401,
                new ApiError("authentication_error", "authentication_failed", $"Personal API key found in request {where} is invalid."),
                "Bearer")));
    }

    [Test]
    public async Task Only_the_first_place_with_a_key_is_tried()
    {
        var (identity, _, _) = await Authenticate(
            authorization: "Bearer " + Unknown, contentType: "application/json", body: $$"""{"personal_api_key":"{{Valid}}"}""", query: $"?personal_api_key={Valid}");

        Assert.That(identity, Is.Null);
        store.Verify(s => s.FindActiveAsync(It.IsAny<string>(), It.IsAny<CancellationToken>()), Times.Once);
        store.Verify(s => s.FindActiveAsync(PersonalApiKeys.SecureValue(Unknown), It.IsAny<CancellationToken>()), Times.Once);
    }

    [Test]
    public async Task Body_is_tried_before_the_query()
    {
        var (_, problem, _) = await Authenticate(contentType: "application/json", body: $$"""{"personal_api_key":"{{Unknown}}"}""", query: $"?personal_api_key={Valid}");

        Assert.That(problem?.Error.Detail, Does.Contain("request body"));
    }

    [TestCase("bearer " + Valid)]
    [TestCase("BEARER " + Valid)]
    [TestCase("Token " + Valid)]
    [TestCase("Bearer")]
    [TestCase("Bearer" + Valid)]
    public async Task Authorization_that_is_not_exactly_bearer_is_no_key(string authorization)
    {
        var (identity, problem, _) = await Authenticate(authorization: authorization);

        Assert.That((identity, problem), Is.EqualTo(((FolderIdentity?)null, ApiProblems.NotAuthenticated)));
        store.VerifyNoOtherCalls();
    }

    [Test]
    public async Task Lowercase_bearer_falls_through_to_the_query()
    {
        var (identity, _, _) = await Authenticate(authorization: "bearer " + Unknown, query: $"?personal_api_key={Valid}");

        Assert.That(identity?.Key, Is.EqualTo(Stored));
    }

    [Test]
    public async Task Only_the_hash_of_the_key_is_looked_up()
    {
        await Authenticate(authorization: "Bearer " + Valid);

        store.Verify(s => s.FindActiveAsync("sha256$423f2c6a7238b4d9cbc02cdd47e3b6871753ef2bd53d0872a40e32304a1a9512", It.IsAny<CancellationToken>()), Times.Once);
    }

    [Test]
    public async Task Host_principal_of_a_listed_scheme_is_its_folder_user_without_a_key()
    {
        options.AuthenticationSchemes.Add(HostScheme);
        SignInToHost(new Claim(ClaimTypes.NameIdentifier, "7"));

        var (identity, problem, _) = await Authenticate();

        Assert.That((identity?.UserId, identity?.Key, identity?.AuthenticationType, problem), Is.EqualTo(((long?)7, (PersonalApiKey?)null, HostScheme, (ApiProblem?)null)));
    }

    [Test]
    public async Task Host_principal_is_not_asked_for_when_its_scheme_is_not_listed()
    {
        SignInToHost(new Claim(ClaimTypes.NameIdentifier, "7"));

        var (identity, problem, _) = await Authenticate();

        Assert.That((identity, problem), Is.EqualTo(((FolderIdentity?)null, ApiProblems.NotAuthenticated)));
        hostAuthentication.Verify(a => a.AuthenticateAsync(It.IsAny<HttpContext>(), It.IsAny<string?>()), Times.Never);
    }

    [Test]
    public async Task External_host_user_is_linked_to_its_folder_user()
    {
        options.AuthenticationSchemes.Add(HostScheme);
        options.MapHostUser = principal => FolderUser.External("host", principal.FindFirst("sub")!.Value, "ada@host.test");
        hostUsers.Setup(h => h.LinkAsync("host", "3f2a-guid", "ada@host.test", It.IsAny<CancellationToken>())).ReturnsAsync(99);
        SignInToHost(new Claim("sub", "3f2a-guid"));

        var (identity, _, _) = await Authenticate();

        Assert.That(identity?.UserId, Is.EqualTo(99));
    }

    [Test]
    public async Task Unmapped_host_principal_is_403()
    {
        options.AuthenticationSchemes.Add(HostScheme);
        SignInToHost(new Claim("sub", "not-an-integer"));

        var (identity, problem, _) = await Authenticate();

        Assert.That((identity, problem), Is.EqualTo(((FolderIdentity?)null, ApiProblems.PermissionDenied(AccessRules.NoProjectAccess))));
    }

    [Test]
    public async Task Bearer_token_that_is_not_a_key_goes_to_the_host_schemes_first()
    {
        options.AuthenticationSchemes.Add(HostScheme);
        SignInToHost(new Claim(ClaimTypes.NameIdentifier, "7"));

        var (identity, _, _) = await Authenticate(authorization: "Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig");

        Assert.That(identity?.UserId, Is.EqualTo(7));
        store.VerifyNoOtherCalls();
    }

    [Test]
    public async Task Bearer_token_that_no_host_scheme_takes_is_an_invalid_key()
    {
        options.AuthenticationSchemes.Add(HostScheme);

        var (_, problem, _) = await Authenticate(authorization: "Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig");

        Assert.That(problem?.Error, Is.EqualTo(ApiProblems.InvalidKey("Authorization header").Error));
    }

    private void SignInToHost(params Claim[] claims) =>
        hostAuthentication.Setup(a => a.AuthenticateAsync(It.IsAny<HttpContext>(), HostScheme)).ReturnsAsync(
            AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, HostScheme)), HostScheme)));

    private async Task<(FolderIdentity? Identity, ApiProblem? Problem, HttpContext Http)> Authenticate(
        string? authorization = null, string? contentType = null, string? body = null, string? query = null)
    {
        var http = new DefaultHttpContext
        {
            RequestServices = new ServiceCollection().AddSingleton(hostAuthentication.Object).BuildServiceProvider(),
        };
        http.Request.Method = HttpMethods.Post;
        if (authorization is not null)
        {
            http.Request.Headers.Authorization = authorization;
        }

        if (body is not null)
        {
            var bytes = Encoding.UTF8.GetBytes(body);
            http.Request.ContentType = contentType;
            http.Request.ContentLength = bytes.Length;
            http.Request.Body = new MemoryStream(bytes);
        }

        if (query is not null)
        {
            http.Request.QueryString = new QueryString(query);
        }

        var (identity, problem) = await authenticator.AuthenticateAsync(http, await authenticator.FindKeyAsync(http));
        return (identity, problem, http);
    }
}
