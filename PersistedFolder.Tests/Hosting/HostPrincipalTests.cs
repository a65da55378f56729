using System.Net;

namespace PersistedFolder.Tests.Integration.Hosting;

/// <summary>
/// SPEC §4 inside the host: the host's own principal skips the key scope checks and still needs
/// membership; personal API keys keep working beside it, with every check.
/// </summary>
public sealed class HostPrincipalTests : HostFixture
{
    private const string NoProjectAccess = "You don't have access to the project.";

    [Test]
    public async Task Host_user_who_is_a_member_reads_and_writes_without_any_key_scope()
    {
        var actor = await CreateActorAsync(scopes: "insight:read");
        var collection = Routes.Collection(Routes.Desktop, actor.ProjectId);

        var created = await ExpectAsync(
            await AsHostUserAsync(HttpMethod.Post, collection, actor, Json("""{"type":"home","path":"Host"}""")), HttpStatusCode.Created, Wire.ReadFolderAsync);
        var patched = await ExpectAsync(
            await AsHostUserAsync(HttpMethod.Patch, Routes.Item(Routes.Desktop, actor.ProjectId, created.Id), actor, Json("""{"path":"Host/Moved"}""")),
            HttpStatusCode.OK,
            Wire.ReadFolderAsync);
        var listed = await ExpectAsync(await AsHostUserAsync(HttpMethod.Get, collection, actor), HttpStatusCode.OK, Wire.ReadPageAsync);

        Assert.That(listed.Results, Is.EqualTo(new[] { patched }));
        Assert.That(patched.Path, Is.EqualTo("Host/Moved"));
        await AssertForbiddenAsync(await SendAsync(HttpMethod.Get, collection, actor.Key), MissingScope("read"));
    }

    [Test]
    public async Task Host_user_who_is_not_a_member_is_403_on_every_method()
    {
        var outsider = await CreateActorAsync(member: false);
        var collection = Routes.Collection(Routes.Web, outsider.ProjectId);

        await AssertForbiddenAsync(await AsHostUserAsync(HttpMethod.Get, collection, outsider), NoProjectAccess);
        await AssertForbiddenAsync(await AsHostUserAsync(HttpMethod.Post, collection, outsider, Json("""{"type":"home"}""")), NoProjectAccess);
        Assert.That(await FolderCountAsync(), Is.Zero);
    }

    [Test]
    public async Task Host_user_who_is_a_member_of_another_organization_is_403()
    {
        var member = await CreateActorAsync();
        var elsewhere = await CreateProjectAsync();

        await AssertForbiddenAsync(await AsHostUserAsync(HttpMethod.Get, Routes.Collection(Routes.Web, elsewhere.Id), member), NoProjectAccess);
    }

    [Test]
    public async Task Deactivated_host_user_loses_access_on_the_next_request()
    {
        var actor = await CreateActorAsync();
        var collection = Routes.Collection(Routes.Web, actor.ProjectId);
        Assert.That((await AsHostUserAsync(HttpMethod.Get, collection, actor)).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        await Admin.DeactivateUserAsync(actor.User.Email, CancellationToken.None);

        await AssertForbiddenAsync(await AsHostUserAsync(HttpMethod.Get, collection, actor), NoProjectAccess);
    }

    [Test]
    public async Task Host_user_resolves_at_current_and_unknown_projects_like_a_key()
    {
        var actor = await CreateActorAsync();

        await AssertNotFoundAsync(await AsHostUserAsync(HttpMethod.Get, Routes.Collection(Routes.Web, "@current"), actor), "Project not found.");
        await AssertNotFoundAsync(await AsHostUserAsync(HttpMethod.Get, Routes.Collection(Routes.Web, 424242), actor), "Project not found.");
        await Admin.SetCurrentProjectAsync(actor.User.Email, actor.ProjectId, CancellationToken.None);
        var created = await ExpectAsync(
            await AsHostUserAsync(HttpMethod.Post, Routes.Collection(Routes.Web, "@current"), actor, Json("""{"type":"pinned"}""")), HttpStatusCode.Created, Wire.ReadFolderAsync);

        var listed = await ExpectAsync(await SendAsync(HttpMethod.Get, Routes.Collection(Routes.Web, actor.ProjectId), actor.Key), HttpStatusCode.OK, Wire.ReadPageAsync);
        Assert.That(listed.Results, Is.EqualTo(new[] { created }));
    }

    [Test]
    public async Task Host_principal_without_an_integer_user_id_is_403()
    {
        var actor = await CreateActorAsync();

        await AssertForbiddenAsync(await AsHostUserAsync(HttpMethod.Get, Routes.Collection(Routes.Web, actor.ProjectId), "ada@example.com"), NoProjectAccess);
    }

    [Test]
    public async Task Personal_api_key_reads_and_writes_in_the_host_from_every_place()
    {
        var actor = await CreateActorAsync();
        var collection = Routes.Collection(Routes.Web, actor.ProjectId);

        var fromHeader = await ExpectAsync(
            await SendAsync(HttpMethod.Post, collection, actor.Key, Json("""{"type":"home","path":"Key"}""")), HttpStatusCode.Created, Wire.ReadFolderAsync);
        var fromBody = await ExpectAsync(
            await SendAsync(HttpMethod.Post, collection, content: Form(("type", "pinned"), ("personal_api_key", actor.Key))), HttpStatusCode.Created, Wire.ReadFolderAsync);
        var fromQuery = await ExpectAsync(
            await SendAsync(HttpMethod.Get, $"{collection}?personal_api_key={actor.Key}"), HttpStatusCode.OK, Wire.ReadPageAsync);

        Assert.That(fromQuery.Results, Is.EquivalentTo(new[] { fromHeader, fromBody }));
    }

    [Test]
    public async Task Personal_api_key_keeps_its_scope_checks_in_the_host()
    {
        var reader = await CreateActorAsync(scopes: ReadOnly);
        var collection = Routes.Collection(Routes.Web, reader.ProjectId);

        Assert.That((await SendAsync(HttpMethod.Get, collection, reader.Key)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        await AssertForbiddenAsync(await SendAsync(HttpMethod.Post, collection, reader.Key, Json("""{"type":"home"}""")), MissingScope("write"));
        Assert.That(await FolderCountAsync(), Is.Zero);
    }

    [Test]
    public async Task Without_credentials_or_with_an_unknown_key_the_folder_endpoints_answer_the_apis_401()
    {
        var actor = await CreateActorAsync();
        var collection = Routes.Collection(Routes.Web, actor.ProjectId);

        await AssertNotAuthenticatedAsync(await SendAsync(HttpMethod.Get, collection));
        await AssertInvalidKeyAsync(await SendAsync(HttpMethod.Get, collection, actor.Key + "x"));
    }

    private static Task<long> FolderCountAsync() => IntegrationDatabase.ScalarAsync<long>("SELECT count(*) FROM persisted_folder");
}
