using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Moq;
using Npgsql;
using PersistedFolder.Core.Access;
using PersistedFolder.Core.Folders;
using PersistedFolder.Core.Keys;

namespace PersistedFolder.Tests.Integration;

/// <summary>
/// SPEC §6: the one place that turns exceptions into error bodies, driven through the real
/// pipeline with a folder service that fails on demand.
/// </summary>
public sealed class ErrorHandlingTests : ApiFixture
{
    private Mock<IPersistedFolderService> folders = new();

    [SetUp]
    public void RebuildTheFolderService() => folders = new Mock<IPersistedFolderService>(MockBehavior.Strict);

    protected override PersistedFolderApiFactory CreateFactory() =>
        new(configureServices: services => services.AddTransient(_ => folders.Object));

    [Test]
    public async Task Unexpected_failure_is_500_without_a_stack_trace()
    {
        var actor = await CreateActorAsync();
        Fail(new InvalidOperationException("secret internals at PersistedFolder.Somewhere"));

        var response = await ListAsync(actor);

        await AssertErrorAsync(response, HttpStatusCode.InternalServerError, "server_error", "error", "A server error occurred.");
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Not.Contain("secret").And.Not.Contain(" at "));
    }

    [Test]
    public async Task Unique_violation_from_postgres_is_400_unique()
    {
        var actor = await CreateActorAsync();
        Fail(new PostgresException("duplicate key value violates unique constraint", "ERROR", "ERROR", PostgresErrorCodes.UniqueViolation));

        await AssertInvalidAsync(await ListAsync(actor), "unique", "A folder of this type already exists.", "type");
    }

    [Test]
    public async Task Lost_connection_is_503_service_unavailable_with_retry_after()
    {
        var actor = await CreateActorAsync();
        Fail(new NpgsqlException("Exception while reading from stream"));

        var response = await ListAsync(actor);

        await AssertErrorAsync(response, HttpStatusCode.ServiceUnavailable, "server_error", "service_unavailable", "The database is unavailable. Please retry shortly.");
        Assert.That(Wire.Header(response, "Retry-After"), Is.Not.Null);
    }

    [Test]
    public async Task Transient_postgres_error_is_503()
    {
        var actor = await CreateActorAsync();
        Fail(new PostgresException("terminating connection due to administrator command", "FATAL", "FATAL", PostgresErrorCodes.AdminShutdown));

        Assert.That((await ListAsync(actor)).StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
    }

    [Test]
    public async Task Service_receives_the_scope_of_the_route_the_key_and_the_project()
    {
        var actor = await CreateActorAsync();
        folders.Setup(f => f.ListAsync(It.IsAny<FolderScope>(), It.IsAny<CancellationToken>())).ReturnsAsync([]);

        await SendAsync(HttpMethod.Get, Routes.Collection(Routes.Desktop, actor.ProjectId), actor.Key);
        await SendAsync(HttpMethod.Get, Routes.Collection(Routes.Environments, actor.ProjectId), actor.Key);

        // The key travels unverified: the operation's own statement looks it up with the project.
        var caller = new KeyCaller(PersonalApiKeys.SecureValue(actor.Key), new ProjectReference(actor.ProjectId));
        folders.Verify(f => f.ListAsync(new FolderScope(caller, Surface.Desktop), It.IsAny<CancellationToken>()), Times.Once);
        folders.Verify(f => f.ListAsync(new FolderScope(caller, Surface.Web), It.IsAny<CancellationToken>()), Times.Once);
    }

    private void Fail(Exception exception) =>
        folders.Setup(f => f.ListAsync(It.IsAny<FolderScope>(), It.IsAny<CancellationToken>())).ThrowsAsync(exception);

    private Task<HttpResponseMessage> ListAsync(Actor actor) =>
        SendAsync(HttpMethod.Get, Routes.Collection(Routes.Web, actor.ProjectId), actor.Key);
}
