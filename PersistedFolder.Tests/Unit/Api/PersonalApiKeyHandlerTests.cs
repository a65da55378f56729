using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Moq;
using PersistedFolder.Api.Authentication;
using PersistedFolder.Api.Binding;
using PersistedFolder.Api.Errors;
using PersistedFolder.Core.Keys;

namespace PersistedFolder.Tests.Unit.Api;

/// <summary>SPEC §4: where a personal API key is read from, and the 401 wording for each place.</summary>
[TestFixture]
public sealed class PersonalApiKeyHandlerTests
{
    private const string Valid = "phx_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG";
    private const string Unknown = "phx_unknownunknownunknownunknownunknownunknownu";
    private static readonly PersonalApiKey Stored = new(Guid.CreateVersion7(), 42, ["*"], null, null, DateTime.UtcNow);

    private Mock<IPersonalApiKeyStore> store = null!;
    private KeyUsageRecorder usage = null!;
    private PersonalApiKeyHandler handler = null!;

    [SetUp]
    public void SetUp()
    {
        store = new Mock<IPersonalApiKeyStore>();
        store.Setup(s => s.FindActiveAsync(PersonalApiKeys.SecureValue(Valid), It.IsAny<CancellationToken>())).ReturnsAsync(Stored);
        var schemeOptions = new Mock<IOptionsMonitor<AuthenticationSchemeOptions>>();
        schemeOptions.Setup(o => o.Get(It.IsAny<string>())).Returns(new AuthenticationSchemeOptions());
        usage = new KeyUsageRecorder(store.Object, TimeProvider.System, Options.Create(new KeyUsageOptions()), NullLogger<KeyUsageRecorder>.Instance);
        handler = new PersonalApiKeyHandler(
            schemeOptions.Object,
            NullLoggerFactory.Instance,
            UrlEncoder.Default,
            store.Object,
            new RequestBodyReader(Options.Create(new RequestBodyOptions())),
            usage);
    }

    [TearDown]
    public void TearDown() => usage.Dispose();

    [Test]
    public async Task No_key_anywhere_is_no_result()
    {
        var (result, _) = await Authenticate();

        Assert.That(result.None, Is.True);
        store.VerifyNoOtherCalls();
    }

    [TestCase("Bearer " + Valid)]
    [TestCase("Bearer\t" + Valid)]
    [TestCase("Bearer   " + Valid + "  ")]
    public async Task Bearer_header_key_authenticates_its_user(string authorization)
    {
        var (result, http) = await Authenticate(authorization: authorization);

        Assert.That(result.Principal?.FindFirst(ClaimTypes.NameIdentifier)?.Value, Is.EqualTo("42"));
        Assert.That(http.Features.Get<PersonalApiKeyFeature>()?.Key, Is.EqualTo(Stored));
    }

    [Test]
    public async Task Body_key_authenticates([Values("application/json", "application/x-www-form-urlencoded")] string contentType)
    {
        var body = contentType == "application/json" ? $$"""{"personal_api_key":"{{Valid}}"}""" : $"personal_api_key={Valid}";

        var (result, _) = await Authenticate(contentType: contentType, body: body);

        Assert.That(result.Succeeded, Is.True);
    }

    [Test]
    public async Task Query_key_authenticates()
    {
        var (result, _) = await Authenticate(query: $"?personal_api_key={Valid}");

        Assert.That(result.Succeeded, Is.True);
    }

    [TestCase("Bearer " + Unknown, null, null, "Authorization header")]
    [TestCase(null, "{\"personal_api_key\":\"" + Unknown + "\"}", null, "body")]
    [TestCase(null, null, "?personal_api_key=" + Unknown, "query string")]
    public async Task Unknown_key_fails_naming_where_it_was_found(string? authorization, string? body, string? query, string where)
    {
        var (result, http) = await Authenticate(authorization, body is null ? null : "application/json", body, query);

        var problem = http.Features.Get<PersonalApiKeyFailureFeature>()?.Problem;

        Assert.That(result.Failure, Is.Not.Null);
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
        var (result, _) = await Authenticate(
            authorization: "Bearer " + Unknown, contentType: "application/json", body: $$"""{"personal_api_key":"{{Valid}}"}""", query: $"?personal_api_key={Valid}");

        Assert.That(result.Failure, Is.Not.Null);
        store.Verify(s => s.FindActiveAsync(It.IsAny<string>(), It.IsAny<CancellationToken>()), Times.Once);
        store.Verify(s => s.FindActiveAsync(PersonalApiKeys.SecureValue(Unknown), It.IsAny<CancellationToken>()), Times.Once);
    }

    [Test]
    public async Task Body_is_tried_before_the_query()
    {
        var (_, http) = await Authenticate(contentType: "application/json", body: $$"""{"personal_api_key":"{{Unknown}}"}""", query: $"?personal_api_key={Valid}");

        Assert.That(http.Features.Get<PersonalApiKeyFailureFeature>()?.Problem.Error.Detail, Does.Contain("request body"));
    }

    [TestCase("bearer " + Valid)]
    [TestCase("BEARER " + Valid)]
    [TestCase("Token " + Valid)]
    [TestCase("Bearer")]
    [TestCase("Bearer" + Valid)]
    public async Task Authorization_that_is_not_exactly_bearer_is_no_key(string authorization)
    {
        var (result, _) = await Authenticate(authorization: authorization);

        Assert.That(result.None, Is.True);
        store.VerifyNoOtherCalls();
    }

    [Test]
    public async Task Lowercase_bearer_falls_through_to_the_query()
    {
        var (result, _) = await Authenticate(authorization: "bearer " + Unknown, query: $"?personal_api_key={Valid}");

        Assert.That(result.Succeeded, Is.True);
    }

    [Test]
    public async Task Only_the_hash_of_the_key_is_looked_up()
    {
        await Authenticate(authorization: "Bearer " + Valid);

        store.Verify(s => s.FindActiveAsync("sha256$423f2c6a7238b4d9cbc02cdd47e3b6871753ef2bd53d0872a40e32304a1a9512", It.IsAny<CancellationToken>()), Times.Once);
    }

    private async Task<(AuthenticateResult Result, HttpContext Http)> Authenticate(
        string? authorization = null, string? contentType = null, string? body = null, string? query = null)
    {
        var http = new DefaultHttpContext();
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

        await handler.InitializeAsync(new AuthenticationScheme(PersonalApiKeyDefaults.AuthenticationScheme, null, typeof(PersonalApiKeyHandler)), http);
        return (await handler.AuthenticateAsync(), http);
    }
}
