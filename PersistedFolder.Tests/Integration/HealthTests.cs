using System.Net;

namespace PersistedFolder.Tests.Integration;

/// <summary>SPEC §11: liveness and readiness.</summary>
public sealed class HealthTests : ApiFixture
{
    [Test]
    public async Task Health_answers_200_without_credentials()
    {
        var response = await SendAsync(HttpMethod.Get, "/_health");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Readiness_answers_200_when_the_database_is_up_and_migrated()
    {
        var response = await SendAsync(HttpMethod.Get, "/_readyz");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }
}

/// <summary>SPEC §6 and §11 with PostgreSQL out of reach: alive, not ready, and 503 with <c>Retry-After</c>.</summary>
public sealed class UnreachableDatabaseTests : ApiFixture
{
    protected override PersistedFolderApiFactory CreateFactory() => new(new Dictionary<string, string?>
    {
        // Nothing listens on port 1; migrations are not attempted at start-up.
        ["ConnectionStrings:PersistedFolder"] = "Host=127.0.0.1;Port=1;Username=postgres;Database=unreachable;Timeout=2",
        ["PersistedFolder:MigrateOnStartup"] = "false",
    });

    [Test]
    public async Task Health_still_answers_200()
    {
        Assert.That((await SendAsync(HttpMethod.Get, "/_health")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Readiness_answers_503()
    {
        Assert.That((await SendAsync(HttpMethod.Get, "/_readyz")).StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
    }

    [Test]
    public async Task Folder_request_is_503_service_unavailable_with_retry_after()
    {
        var response = await SendAsync(HttpMethod.Get, Routes.Collection(Routes.Web, 1), "phx_" + new string('a', 43));

        var error = await ExpectAsync(response, HttpStatusCode.ServiceUnavailable, Wire.ReadErrorAsync);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
            Assert.That((error.Type, error.Code, error.Attr), Is.EqualTo(("server_error", "service_unavailable", (string?)null)));
            Assert.That(error.Detail, Is.Not.Empty);
            Assert.That(error.Detail, Does.Not.Contain("127.0.0.1").And.Not.Contain("Npgsql"), "no internals leak");
            Assert.That(Wire.Header(response, "Retry-After"), Is.Not.Null.And.Not.Empty);
        }
    }
}
