using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using PersistedFolder.Core.Admin;

namespace PersistedFolder.Tests.Integration;

/// <summary>A user with a personal API key, a member (or not) of one project's organization.</summary>
public sealed record Actor(Project Project, User User, CreatedApiKey ApiKey)
{
    public string Key => ApiKey.Value;

    public long ProjectId => Project.Id;
}

/// <summary>
/// Base of the integration fixtures: one application per fixture (started once), data emptied
/// before each test, fixtures made through the same <see cref="IdentityAdmin"/> the admin CLI uses,
/// and HTTP helpers that send a personal API key as <c>Authorization: Bearer</c>.
/// </summary>
[NonParallelizable]
public abstract class ApiFixture
{
    public const string ReadWrite = "persisted_folder:read,persisted_folder:write";
    public const string ReadOnly = "persisted_folder:read";
    public const string WriteOnly = "persisted_folder:write";

    private static int sequence;
    private PersistedFolderApiFactory? factory;
    private HttpClient? client;

    protected PersistedFolderApiFactory Factory => factory ?? throw new InvalidOperationException("The application is not started.");

    protected HttpClient Client => client ?? throw new InvalidOperationException("The application is not started.");

    /// <summary>The services of the application under test; a fixture that runs another host returns that host's.</summary>
    protected virtual IServiceProvider Services => Factory.Services;

    protected IdentityAdmin Admin => Services.GetRequiredService<IdentityAdmin>();

    [OneTimeSetUp]
    public void StartApplication()
    {
        IntegrationDatabase.RequireConnectionString();
        factory = CreateFactory();
        client = CreateClient(factory);
    }

    [OneTimeTearDown]
    public async Task StopApplication()
    {
        client?.Dispose();
        if (factory is not null)
        {
            await factory.DisposeAsync();
        }
    }

    [SetUp]
    public Task EmptyTables() => IntegrationDatabase.ResetAsync();

    /// <summary>The application under test; a fixture overrides this to change settings or services.</summary>
    protected virtual PersistedFolderApiFactory CreateFactory() => new();

    /// <summary>The client every helper uses: in memory, never following redirects.</summary>
    protected virtual HttpClient CreateClient(PersistedFolderApiFactory application) =>
        application.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    protected static string Unique(string prefix) => $"{prefix}-{Interlocked.Increment(ref sequence)}";

    protected async Task<Project> CreateProjectAsync(Organization? organization = null)
    {
        organization ??= await Admin.CreateOrganizationAsync(Unique("org"), CancellationToken.None);
        return await Admin.CreateProjectAsync(organization.Id, Unique("project"), CancellationToken.None);
    }

    /// <summary>A user with a key; a member of <paramref name="project"/>'s organization (a new one when null) unless told otherwise.</summary>
    protected async Task<Actor> CreateActorAsync(
        string scopes = ReadWrite,
        Project? project = null,
        bool member = true,
        string level = "member",
        IReadOnlyList<long>? scopedTeams = null,
        IReadOnlyList<Guid>? scopedOrganizations = null)
    {
        project ??= await CreateProjectAsync();
        var user = await Admin.CreateUserAsync($"{Unique("user")}@example.com", member ? project.OrganizationId : null, level, CancellationToken.None);
        var key = await CreateKeyAsync(user, scopes, scopedTeams, scopedOrganizations);
        return new Actor(project, user, key);
    }

    protected Task<CreatedApiKey> CreateKeyAsync(
        User user, string scopes = ReadWrite, IReadOnlyList<long>? scopedTeams = null, IReadOnlyList<Guid>? scopedOrganizations = null) =>
        Admin.CreateApiKeyAsync(user.Email, Unique("key"), scopes.Split(','), scopedTeams, scopedOrganizations, CancellationToken.None);

    protected Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, string? key = null, HttpContent? content = null) =>
        SendAsync(method, url, content, request =>
        {
            if (key is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            }
        });

    protected async Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, HttpContent? content, Action<HttpRequestMessage> configure)
    {
        using var request = new HttpRequestMessage(method, url) { Content = content };
        configure(request);
        var response = await Client.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    /// <summary>A JSON body exactly as written (Content-Type <c>application/json</c>).</summary>
    protected static StringContent Json(string json)
    {
        var content = new StringContent(json, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    /// <summary>A JSON body of unknown length, sent chunked, so it cannot be refused by its Content-Length.</summary>
    protected static StreamContent Chunked(byte[] body)
    {
        var content = new StreamContent(new UnseekableStream(body));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    protected static FormUrlEncodedContent Form(params (string Name, string Value)[] fields) =>
        new(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)));

    protected static MultipartFormDataContent Multipart(params (string Name, string Value)[] fields)
    {
        var content = new MultipartFormDataContent();
        foreach (var (name, value) in fields)
        {
            content.Add(new StringContent(value), name);
        }

        return content;
    }

    /// <summary>Asserts the exact error body, its status and its Content-Type.</summary>
    protected static async Task AssertErrorAsync(
        HttpResponseMessage response, HttpStatusCode status, string type, string code, string detail, string? attr = null)
    {
        var body = await response.Content.ReadAsStringAsync();
        var request = $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.PathAndQuery}";
        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(status), $"{request}: {body}");
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"), request);
            Assert.That(Wire.KeysOf(body), Is.EqualTo(Wire.ErrorKeys), request);
            Assert.That(Wire.Parse<ErrorBody>(body), Is.EqualTo(new ErrorBody(type, code, detail, attr)), request);
        }
    }

    protected static Task AssertNotFoundAsync(HttpResponseMessage response, string detail = "Not found.") =>
        AssertErrorAsync(response, HttpStatusCode.NotFound, "invalid_request", "not_found", detail);

    protected static Task AssertForbiddenAsync(HttpResponseMessage response, string detail) =>
        AssertErrorAsync(response, HttpStatusCode.Forbidden, "authentication_error", "permission_denied", detail);

    protected static Task AssertInvalidAsync(HttpResponseMessage response, string code, string detail, string? attr) =>
        AssertErrorAsync(response, HttpStatusCode.BadRequest, "validation_error", code, detail, attr);

    protected static async Task AssertUnauthorizedAsync(HttpResponseMessage response, string code, string detail)
    {
        await AssertErrorAsync(response, HttpStatusCode.Unauthorized, "authentication_error", code, detail);
        Assert.That(Wire.Header(response, "WWW-Authenticate"), Is.EqualTo("Bearer"));
    }

    protected static Task AssertNotAuthenticatedAsync(HttpResponseMessage response) =>
        AssertUnauthorizedAsync(response, "not_authenticated", "Authentication credentials were not provided.");

    protected static Task AssertInvalidKeyAsync(HttpResponseMessage response, string where = "Authorization header") =>
        AssertUnauthorizedAsync(response, "authentication_failed", $"Personal API key found in request {where} is invalid.");

    protected static string MissingScope(string action) => $"API key missing required scope 'persisted_folder:{action}'";

    protected static async Task<T> ExpectAsync<T>(HttpResponseMessage response, HttpStatusCode status, Func<HttpResponseMessage, Task<T>> read)
    {
        Assert.That(response.StatusCode, Is.EqualTo(status), await response.Content.ReadAsStringAsync());
        return await read(response);
    }

    private sealed class UnseekableStream(byte[] bytes) : MemoryStream(bytes, writable: false)
    {
        public override bool CanSeek => false;
    }
}
