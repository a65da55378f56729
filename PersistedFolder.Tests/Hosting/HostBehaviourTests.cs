using System.Net;

namespace PersistedFolder.Tests.Integration.Hosting;

/// <summary>
/// Embedding the API leaves the host's own endpoints as they were: its JSON, its 401 challenge, its
/// status pages, MVC's problem details for its actions and its error page; only the API's own
/// endpoints (and unknown paths under <c>/api/</c>) answer in the API's shape.
/// </summary>
public sealed class HostBehaviourTests : HostFixture
{
    [Test]
    public async Task Host_controller_answers_in_the_hosts_own_json()
    {
        var response = await SendAsync(HttpMethod.Get, "/host/hello");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("""{"message":"Hello from /host/hello","servedBy":"embedding host"}"""));
    }

    [Test]
    public async Task Host_minimal_api_answers_in_the_hosts_own_json()
    {
        var response = await SendAsync(HttpMethod.Get, "/host/ping");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("""{"message":"pong","servedBy":"embedding host"}"""));
    }

    [Test]
    public async Task Host_user_reaches_the_hosts_own_endpoint()
    {
        var response = await AsHostUserAsync(HttpMethod.Get, "/host/me", userId: 42);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("""{"message":"Hello, user 42","servedBy":"embedding host"}"""));
    }

    [Test]
    public async Task Host_endpoint_without_a_host_user_is_the_hosts_own_401()
    {
        await AssertHostPageAsync(await SendAsync(HttpMethod.Get, "/host/me"), HttpStatusCode.Unauthorized);
    }

    [Test]
    public async Task Personal_api_key_does_not_sign_in_to_the_hosts_endpoints()
    {
        var actor = await CreateActorAsync();

        await AssertHostPageAsync(await SendAsync(HttpMethod.Get, "/host/me", actor.Key), HttpStatusCode.Unauthorized);
        await AssertHostPageAsync(await SendAsync(HttpMethod.Get, $"/host/me?personal_api_key={actor.Key}"), HttpStatusCode.Unauthorized);
    }

    [TestCase("/host/nope")]
    [TestCase("/nowhere")]
    [TestCase("/apis/not-the-api")]
    public async Task Unknown_path_outside_the_api_is_the_hosts_own_404(string path)
    {
        await AssertHostPageAsync(await SendAsync(HttpMethod.Get, path), HttpStatusCode.NotFound);
    }

    [Test]
    public async Task Unknown_path_under_the_folder_routes_is_the_apis_404_and_elsewhere_under_api_the_hosts()
    {
        await AssertNotFoundAsync(await SendAsync(HttpMethod.Get, "/api/projects/1/persisted_folder/a/b/"), "Endpoint not found.");
        await AssertHostPageAsync(await SendAsync(HttpMethod.Get, "/api/nope/"), HttpStatusCode.NotFound);
    }

    [Test]
    public async Task Host_actions_not_found_is_mvcs_problem_details_in_the_hosts_json()
    {
        var found = await SendAsync(HttpMethod.Get, "/host/greetings/1");
        var missing = await SendAsync(HttpMethod.Get, "/host/greetings/2");

        var body = await missing.Content.ReadAsStringAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(found.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(missing.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(missing.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
            Assert.That(Wire.KeysOf(body), Does.Contain("title").And.Contain("status").And.Contain("traceId"), body);
        }
    }

    [Test]
    public async Task Host_exception_reaches_the_hosts_own_error_page()
    {
        var response = await SendAsync(HttpMethod.Get, "/host/fail");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.InternalServerError));
        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo(EmbeddingHost.ErrorPage));
    }

    [Test]
    public async Task Health_endpoints_are_served_in_the_host()
    {
        var health = await SendAsync(HttpMethod.Get, "/_health");
        var ready = await SendAsync(HttpMethod.Get, "/_readyz");

        Assert.That(health.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.OK), await ready.Content.ReadAsStringAsync());
    }

    private static async Task AssertHostPageAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(status));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/plain"));
            Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo(EmbeddingHost.StatusPageFor(status)));
            if (status == HttpStatusCode.Unauthorized)
            {
                Assert.That(Wire.Header(response, "WWW-Authenticate"), Is.EqualTo(HostUserAuthentication.Header));
            }
        }
    }
}
