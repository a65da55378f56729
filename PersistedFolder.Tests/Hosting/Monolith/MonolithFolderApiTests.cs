using System.Net;

namespace PersistedFolder.Tests.Integration.Hosting.Monolith;

/// <summary>
/// What the folder API keeps for its own endpoints inside the monolith, whichever side of the
/// monolith's services it is added: its per-key rate limit with its own 429 body (beside the
/// monolith's global limiter and policy), its versions (not the monolith's 2.0) and its OpenAPI
/// document (not the monolith's operations).
/// </summary>
[TestFixture(FolderRegistration.BeforeHostServices)]
[TestFixture(FolderRegistration.AfterHostServices)]
public sealed class MonolithFolderApiTests(FolderRegistration registration) : MonolithFixture
{
    private const int PerHour = 3;

    protected override MonolithVariant Variant => new(MonolithAuthentication.JwtAsDefault, registration);

    protected override string[] Settings => ["--PersistedFolder:RateLimits:PerMinute=1000", $"--PersistedFolder:RateLimits:PerHour={PerHour}"];

    [Test]
    public async Task Per_key_limit_of_the_folder_api_holds_in_the_host_with_its_own_429()
    {
        var actor = await CreateActorAsync();
        var collection = Routes.Collection(Routes.Web, actor.ProjectId);
        for (var i = 0; i < PerHour; i++)
        {
            Assert.That((await SendAsync(HttpMethod.Get, collection, actor.Key)).StatusCode, Is.EqualTo(HttpStatusCode.OK), $"request {i + 1}");
        }

        var throttled = await SendAsync(HttpMethod.Get, collection, actor.Key);

        var error = await ExpectAsync(throttled, HttpStatusCode.TooManyRequests, Wire.ReadErrorAsync);
        Assert.That((error.Type, error.Code), Is.EqualTo(("throttled_error", "throttled")));
        Assert.That(Wire.Header(throttled, "Retry-After"), Is.Not.Null);
    }

    [Test]
    public async Task Hosts_own_limiter_keeps_its_body_while_the_folder_limit_is_used_up()
    {
        var actor = await CreateActorAsync();
        for (var i = 0; i <= PerHour; i++)
        {
            await SendAsync(HttpMethod.Get, Routes.Collection(Routes.Desktop, actor.ProjectId), actor.Key);
        }

        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i <= MonolithProgram.TrialPermits; i++)
        {
            answers.Add(await SendAsync(HttpMethod.Get, "/api/feedback", content: null, request => request.Headers.Add(MonolithProgram.TenantHeader, MonolithProgram.TrialTenant)));
        }

        Assert.That(string.Join(" ", answers.Select(a => (int)a.StatusCode)), Is.EqualTo("200 200 429"));
        Assert.That(await answers[^1].Content.ReadAsStringAsync(), Is.EqualTo("""{"errorCode":"monolith_quota","detail":"Too many requests for this plan."}"""));
    }

    [Test]
    public async Task Folder_endpoints_report_their_own_versions_not_the_hosts()
    {
        var actor = await CreateActorAsync();
        var collection = Routes.Collection(Routes.Web, actor.ProjectId);

        var served = await SendAsync(HttpMethod.Get, collection + "?api-version=1.0", actor.Key);
        var refused = await SendAsync(HttpMethod.Get, collection + "?api-version=2.0", actor.Key);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(served.StatusCode, Is.EqualTo(HttpStatusCode.OK), await served.Content.ReadAsStringAsync());
            Assert.That(Wire.Header(served, "api-supported-versions"), Is.EqualTo("1.0"));
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), await refused.Content.ReadAsStringAsync());
            Assert.That((await Wire.ReadErrorAsync(refused)).Code, Is.EqualTo("unsupported_api_version"));
            Assert.That(Wire.Header(refused, "api-supported-versions"), Is.EqualTo("1.0"));
        }
    }

    [Test]
    public async Task Folder_openapi_document_has_the_folder_operations_and_none_of_the_hosts()
    {
        var schema = await SendAsync(HttpMethod.Get, "/api/schema/");
        var body = await schema.Content.ReadAsStringAsync();

        Assert.That(schema.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        Assert.That(body, Does.Contain("/api/projects/{project_id}/persisted_folder/").And.Contain("/api/projects/{project_id}/desktop_persisted_folder/"));
        Assert.That(body, Does.Not.Contain("/api/v{version}/notes").And.Not.Contain("/api/feedback"));
    }
}
