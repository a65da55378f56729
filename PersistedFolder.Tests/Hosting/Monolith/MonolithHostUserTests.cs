using System.Globalization;
using System.Net;

namespace PersistedFolder.Tests.Integration.Hosting.Monolith;

/// <summary>
/// SPEC §4 and §12 inside the monolith: its JWT users reach the folders through its
/// <c>MapHostUser</c> (<see cref="MonolithProgram"/>): a <c>sub</c> is provisioned as a folder user
/// on first use and still needs membership; a <c>folder_user_id</c> claim names an existing folder
/// user; a token with neither is unmapped. Unknown or unmapped users are a 403 in the contract's
/// shape, never a 500. Host users skip the key scope checks; keys keep theirs.
/// </summary>
public sealed class MonolithHostUserTests : MonolithFixture
{
    [Test]
    public async Task Host_user_is_provisioned_on_first_use_and_needs_membership()
    {
        var project = await CreateProjectAsync();
        var subject = Unique("sub");
        var email = $"{subject}@monolith.test";
        var token = MonolithTokens.Mint(subject, email);
        var collection = Routes.Collection(Routes.Web, project.Id);

        await AssertForbiddenInTheContractShapeAsync(await AsHostUserAsync(HttpMethod.Get, collection, token));
        var provisioned = await IntegrationDatabase.ScalarAsync<long>("SELECT count(*) FROM app_user WHERE email = @email", ("email", email));
        await Admin.AddMemberAsync(email, project.OrganizationId, null, CancellationToken.None);

        var created = await ExpectAsync(
            await AsHostUserAsync(HttpMethod.Post, collection, token, Json("""{"type":"home","path":"From the monolith"}""")), HttpStatusCode.Created, Wire.ReadFolderAsync);
        var listed = await ExpectAsync(await AsHostUserAsync(HttpMethod.Get, collection, token), HttpStatusCode.OK, Wire.ReadPageAsync);

        Assert.That(provisioned, Is.EqualTo(1));
        Assert.That(listed.Results, Is.EqualTo(new[] { created }));
    }

    [Test]
    public async Task Provisioned_host_user_is_found_again_not_provisioned_twice()
    {
        var project = await CreateProjectAsync();
        var subject = Unique("sub");
        var token = MonolithTokens.Mint(subject, $"{subject}@monolith.test");

        await AsHostUserAsync(HttpMethod.Get, Routes.Collection(Routes.Web, project.Id), token);
        await AsHostUserAsync(HttpMethod.Get, Routes.Collection(Routes.Desktop, project.Id), token);
        await Admin.AddMemberAsync($"{subject}@monolith.test", project.OrganizationId, null, CancellationToken.None);
        var desktop = await AsHostUserAsync(HttpMethod.Post, Routes.Collection(Routes.Desktop, project.Id), token, Json("""{"type":"pinned"}"""));

        Assert.That(desktop.StatusCode, Is.EqualTo(HttpStatusCode.Created), await desktop.Content.ReadAsStringAsync());
        Assert.That(await IntegrationDatabase.ScalarAsync<long>("SELECT count(*) FROM app_user WHERE email = @email", ("email", $"{subject}@monolith.test")), Is.EqualTo(1));
    }

    [Test]
    public async Task Host_user_without_an_email_claim_is_provisioned_with_the_hosts_placeholder_address()
    {
        var project = await CreateProjectAsync();
        var subject = Unique("sub");

        await AssertForbiddenInTheContractShapeAsync(await AsHostUserAsync(HttpMethod.Get, Routes.Collection(Routes.Web, project.Id), MonolithTokens.Mint(subject)));

        Assert.That(
            await IntegrationDatabase.ScalarAsync<long>("SELECT count(*) FROM app_user WHERE email = @email", ("email", $"{subject}@monolith.invalid")), Is.EqualTo(1));
    }

    [Test]
    public async Task Host_user_mapped_to_an_existing_folder_user_reads_and_writes_without_any_key_scope()
    {
        var actor = await CreateActorAsync(scopes: "insight:read");
        var token = TokenForExistingUser(actor.User.Id);
        var collection = Routes.Collection(Routes.Desktop, actor.ProjectId);

        var created = await ExpectAsync(
            await AsHostUserAsync(HttpMethod.Post, collection, token, Json("""{"type":"home"}""")), HttpStatusCode.Created, Wire.ReadFolderAsync);
        var patched = await ExpectAsync(
            await AsHostUserAsync(HttpMethod.Patch, Routes.Item(Routes.Desktop, actor.ProjectId, created.Id), token, Json("""{"path":"Moved"}""")),
            HttpStatusCode.OK,
            Wire.ReadFolderAsync);

        Assert.That(patched.Path, Is.EqualTo("Moved"));
        await AssertForbiddenAsync(await SendAsync(HttpMethod.Get, collection, actor.Key), MissingScope("read"));
    }

    [Test]
    public async Task Unknown_existing_folder_user_is_403_on_reads_and_writes_never_500()
    {
        var project = await CreateProjectAsync();
        var token = TokenForExistingUser(987654321);
        var collection = Routes.Collection(Routes.Web, project.Id);

        await AssertForbiddenInTheContractShapeAsync(await AsHostUserAsync(HttpMethod.Get, collection, token));
        await AssertForbiddenInTheContractShapeAsync(await AsHostUserAsync(HttpMethod.Post, collection, token, Json("""{"type":"home"}""")));
        Assert.That(await IntegrationDatabase.ScalarAsync<long>("SELECT count(*) FROM persisted_folder"), Is.Zero);
    }

    [Test]
    public async Task Unmapped_host_user_is_403_on_reads_and_writes_never_500()
    {
        var project = await CreateProjectAsync();
        var token = MonolithTokens.Mint(subject: null, extra: new Dictionary<string, object> { ["client_id"] = "reporting-job" });
        var collection = Routes.Collection(Routes.Web, project.Id);

        await AssertForbiddenInTheContractShapeAsync(await AsHostUserAsync(HttpMethod.Get, collection, token));
        await AssertForbiddenInTheContractShapeAsync(await AsHostUserAsync(HttpMethod.Post, collection, token, Json("""{"type":"home"}""")));
        Assert.That(await IntegrationDatabase.ScalarAsync<long>("SELECT count(*) FROM persisted_folder"), Is.Zero);
    }

    [Test]
    public async Task Forged_host_token_is_the_folder_apis_401()
    {
        var actor = await CreateActorAsync();
        var forged = MonolithTokens.Mint("mallory", signingKey: Convert.ToBase64String(new byte[32]));

        var response = await AsHostUserAsync(HttpMethod.Get, Routes.Collection(Routes.Web, actor.ProjectId), forged);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), await response.Content.ReadAsStringAsync());
        Assert.That(Wire.KeysOf(await response.Content.ReadAsStringAsync()), Is.EqualTo(Wire.ErrorKeys));
    }

    [Test]
    public async Task Host_user_and_personal_api_key_of_one_user_see_the_same_folders()
    {
        var actor = await CreateActorAsync();
        var collection = Routes.Collection(Routes.Web, actor.ProjectId);

        var byHost = await ExpectAsync(
            await AsHostUserAsync(HttpMethod.Post, collection, TokenForExistingUser(actor.User.Id), Json("""{"type":"home"}""")), HttpStatusCode.Created, Wire.ReadFolderAsync);
        var byKey = await ExpectAsync(await SendAsync(HttpMethod.Get, collection, actor.Key), HttpStatusCode.OK, Wire.ReadPageAsync);

        Assert.That(byKey.Results, Is.EqualTo(new[] { byHost }));
    }

    [Test]
    public async Task Folder_health_checks_are_where_the_host_mapped_them_and_the_hosts_stay_its_own()
    {
        var health = await SendAsync(HttpMethod.Get, "/_health");
        var ready = await SendAsync(HttpMethod.Get, "/_readyz");
        var hosts = await SendAsync(HttpMethod.Get, "/health/database");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(health.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.OK), await ready.Content.ReadAsStringAsync());
            Assert.That(await hosts.Content.ReadAsStringAsync(), Does.Contain($"\"description\":\"{MonolithDatabase.Name}\""));
        }
    }

    private static string TokenForExistingUser(long userId) =>
        MonolithTokens.Mint(Unique("sub"), extra: new Dictionary<string, object> { [MonolithProgram.FolderUserIdClaim] = userId.ToString(CultureInfo.InvariantCulture) });
}
