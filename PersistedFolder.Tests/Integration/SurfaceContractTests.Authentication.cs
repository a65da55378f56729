using System.Net;

namespace PersistedFolder.Tests.Integration;

/// <summary>SPEC §4: where a key is read, 401s, scopes, key restrictions, membership and their order.</summary>
public partial class SurfaceContractTests
{
    private const string NoProjectAccess = "You don't have access to the project.";

    public enum KeyPlace
    {
        Header,
        JsonBody,
        FormBody,
        MultipartBody,
        Query,
    }

    [Category(SurfaceFixtureAttribute.Smoke)]
    [Test]
    public async Task Request_without_credentials_is_401_not_authenticated_with_a_bearer_challenge(
        [Values("GET", "POST", "HEAD", "OPTIONS")] string collectionMethod)
    {
        var actor = await CreateActorAsync();
        var folder = await CreateFolderAsync(actor, "home");

        var onCollection = await SendAsync(new HttpMethod(collectionMethod), Collection(actor), content: collectionMethod == "POST" ? Json("""{"type":"pinned"}""") : null);
        var onItem = await SendAsync(new HttpMethod(collectionMethod == "POST" ? "PATCH" : collectionMethod), Item(actor, folder.Id), content: Json("""{"path":"x"}"""));
        var deleted = await SendAsync(HttpMethod.Delete, Item(actor, folder.Id));

        if (collectionMethod == "HEAD")
        {
            Assert.That(onCollection.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(Wire.Header(onCollection, "WWW-Authenticate"), Is.EqualTo("Bearer"));
        }
        else
        {
            await AssertNotAuthenticatedAsync(onCollection);
            await AssertNotAuthenticatedAsync(onItem);
        }

        await AssertNotAuthenticatedAsync(deleted);
        Assert.That((await ListAsync(actor)).Results, Is.EqualTo(new[] { folder }), "nothing changed");
    }

    [Category(SurfaceFixtureAttribute.Smoke)]
    [Test]
    public async Task Unknown_key_is_401_naming_where_it_was_found([Values] KeyPlace place)
    {
        var actor = await CreateActorAsync();
        var bogus = actor.Key + "x";

        var response = await SendWithKeyAsync(HttpMethod.Post, Collection(actor), bogus, place, ("type", "home"));

        await AssertInvalidKeyAsync(response, place switch
        {
            KeyPlace.Header => "Authorization header",
            KeyPlace.Query => "query string",
            _ => "body",
        });
        Assert.That(await CountRowsAsync(actor), Is.Zero);
    }

    [Test]
    public async Task Mask_of_a_key_is_not_a_key()
    {
        var actor = await CreateActorAsync();

        await AssertInvalidKeyAsync(await SendAsync(HttpMethod.Get, Collection(actor), actor.ApiKey.MaskValue));
    }

    [Category(SurfaceFixtureAttribute.Smoke)]
    [Test]
    public async Task Key_is_accepted_from_the_header_the_body_or_the_query_string([Values] KeyPlace place)
    {
        var actor = await CreateActorAsync();

        var response = await SendWithKeyAsync(HttpMethod.Post, Collection(actor), actor.Key, place, ("type", "home"), ("path", "Root"));

        var folder = await ExpectAsync(response, HttpStatusCode.Created, Wire.ReadFolderAsync);
        Assert.That((folder.Type, folder.Path), Is.EqualTo(("home", "Root")));
    }

    [Test]
    public async Task Key_in_the_query_string_authenticates_a_read()
    {
        var actor = await CreateActorAsync();

        var response = await SendAsync(HttpMethod.Get, Collection(actor) + "?personal_api_key=" + Uri.EscapeDataString(actor.Key));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Lowercase_bearer_counts_as_no_key()
    {
        var actor = await CreateActorAsync();

        var alone = await SendAsync(HttpMethod.Get, Collection(actor), null, request => request.Headers.TryAddWithoutValidation("Authorization", "bearer " + actor.Key));
        var withQuery = await SendAsync(
            HttpMethod.Get,
            Collection(actor) + "?personal_api_key=" + Uri.EscapeDataString(actor.Key),
            null,
            request => request.Headers.TryAddWithoutValidation("Authorization", "bearer not-a-key"));

        await AssertNotAuthenticatedAsync(alone);
        Assert.That(withQuery.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the query key is used when the header holds no Bearer key");
    }

    [Test]
    public async Task Only_the_first_place_holding_a_key_is_tried_even_when_its_key_is_invalid()
    {
        var actor = await CreateActorAsync();
        var query = "?personal_api_key=" + Uri.EscapeDataString(actor.Key);
        var bogus = "phx_" + new string('A', 43);

        var headerOverBody = await SendAsync(
            HttpMethod.Post, Collection(actor), bogus, Json($$"""{"type":"home","personal_api_key":"{{actor.Key}}"}"""));
        var headerOverQuery = await SendAsync(HttpMethod.Get, Collection(actor) + query, bogus);
        var bodyOverQuery = await SendAsync(HttpMethod.Post, Collection(actor) + query, null, Json($$"""{"type":"home","personal_api_key":"{{bogus}}"}"""));

        await AssertInvalidKeyAsync(headerOverBody, "Authorization header");
        await AssertInvalidKeyAsync(headerOverQuery, "Authorization header");
        await AssertInvalidKeyAsync(bodyOverQuery, "body");
        Assert.That(await CountRowsAsync(actor), Is.Zero);
    }

    [Test]
    public async Task Key_of_an_inactive_user_is_401_on_the_very_next_request()
    {
        var actor = await CreateActorAsync();
        Assert.That((await SendAsync(HttpMethod.Get, Collection(actor), actor.Key)).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        await Admin.DeactivateUserAsync(actor.User.Email, CancellationToken.None);

        await AssertInvalidKeyAsync(await SendAsync(HttpMethod.Get, Collection(actor), actor.Key));
    }

    [Test]
    public async Task Revoked_key_is_401_on_the_very_next_request()
    {
        var actor = await CreateActorAsync();
        Assert.That((await SendAsync(HttpMethod.Get, Collection(actor), actor.Key)).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        await Admin.RevokeApiKeyAsync(actor.ApiKey.Id, CancellationToken.None);

        await AssertInvalidKeyAsync(await SendAsync(HttpMethod.Get, Collection(actor), actor.Key));
    }

    [Test]
    public async Task Removed_membership_is_403_on_the_very_next_request()
    {
        var actor = await CreateActorAsync();
        Assert.That((await SendAsync(HttpMethod.Get, Collection(actor), actor.Key)).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        await IntegrationDatabase.ExecuteAsync("DELETE FROM organization_membership WHERE user_id = @user", ("user", actor.User.Id));

        await AssertForbiddenAsync(await SendAsync(HttpMethod.Get, Collection(actor), actor.Key), NoProjectAccess);
    }

    [Test]
    public async Task Read_scope_allows_get_head_and_options_only()
    {
        var owner = await CreateActorAsync();
        var folder = await CreateFolderAsync(owner, "home", path: "orig");
        var reader = (await CreateKeyAsync(owner.User, ReadOnly)).Value;

        using (Assert.EnterMultipleScope())
        {
            Assert.That((await SendAsync(HttpMethod.Get, Collection(owner), reader)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That((await SendAsync(HttpMethod.Get, Item(owner, folder.Id), reader)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That((await SendAsync(HttpMethod.Head, Collection(owner), reader)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That((await SendAsync(HttpMethod.Head, Item(owner, folder.Id), reader)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That((await SendAsync(HttpMethod.Options, Collection(owner), reader)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That((await SendAsync(HttpMethod.Options, Item(owner, folder.Id), reader)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        await AssertForbiddenAsync(await SendAsync(HttpMethod.Post, Collection(owner), reader, Json("""{"type":"pinned"}""")), MissingScope("write"));
        await AssertForbiddenAsync(await SendAsync(HttpMethod.Put, Item(owner, folder.Id), reader, Json("""{"type":"home"}""")), MissingScope("write"));
        await AssertForbiddenAsync(await SendAsync(HttpMethod.Patch, Item(owner, folder.Id), reader, Json("""{"path":"x"}""")), MissingScope("write"));
        await AssertForbiddenAsync(await SendAsync(HttpMethod.Delete, Item(owner, folder.Id), reader), MissingScope("write"));
        Assert.That((await ListAsync(owner)).Results, Is.EqualTo(new[] { folder }), "nothing changed");
    }

    [TestCase(WriteOnly)]
    [TestCase("*")]
    [TestCase("insight:read,persisted_folder:write")]
    public async Task Write_scope_or_star_grants_every_operation(string scopes)
    {
        var actor = await CreateActorAsync(scopes);

        var folder = await CreateFolderAsync(actor, "home");
        using (Assert.EnterMultipleScope())
        {
            Assert.That((await ListAsync(actor)).Count, Is.EqualTo(1));
            Assert.That((await SendAsync(HttpMethod.Get, Item(actor, folder.Id), actor.Key)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That((await SendAsync(HttpMethod.Head, Item(actor, folder.Id), actor.Key)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That((await SendAsync(HttpMethod.Options, Collection(actor), actor.Key)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That((await SendAsync(HttpMethod.Put, Item(actor, folder.Id), actor.Key, Json("""{"type":"home"}"""))).StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That((await SendAsync(HttpMethod.Patch, Item(actor, folder.Id), actor.Key, Json("{}"))).StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That((await SendAsync(HttpMethod.Delete, Item(actor, folder.Id), actor.Key)).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        }
    }

    [Category(SurfaceFixtureAttribute.Smoke)]
    [TestCase("insight:read,insight:write")]
    [TestCase("persisted_folder:reader")]
    [TestCase("PERSISTED_FOLDER:READ")]
    [TestCase("")]
    public async Task Key_without_a_persisted_folder_scope_is_403_naming_the_missing_scope(string scopes)
    {
        var actor = await CreateActorAsync();
        var key = await CreateKeyAsync(actor.User, "placeholder:read");
        // The admin command refuses an empty scope list, so that key is written directly.
        await IntegrationDatabase.ExecuteAsync(
            "UPDATE personal_api_key SET scopes = @scopes WHERE id = @id",
            ("scopes", scopes.Split(',', StringSplitOptions.RemoveEmptyEntries)), ("id", key.Id));
        var folder = await CreateFolderAsync(actor, "home");

        await AssertForbiddenAsync(await SendAsync(HttpMethod.Get, Collection(actor), key.Value), MissingScope("read"));
        await AssertForbiddenAsync(await SendAsync(HttpMethod.Get, Item(actor, folder.Id), key.Value), MissingScope("read"));
        await AssertForbiddenAsync(await SendAsync(HttpMethod.Options, Collection(actor), key.Value), MissingScope("read"));
        await AssertForbiddenAsync(await SendAsync(HttpMethod.Post, Collection(actor), key.Value, Json("""{"type":"pinned"}""")), MissingScope("write"));
        await AssertForbiddenAsync(await SendAsync(HttpMethod.Delete, Item(actor, folder.Id), key.Value), MissingScope("write"));
    }

    [Test]
    public async Task Key_scoped_to_other_projects_is_403_naming_this_project()
    {
        var actor = await CreateActorAsync();
        var other = await CreateProjectAsync();
        var key = await CreateKeyAsync(actor.User, ReadWrite, scopedTeams: [other.Id]);
        var allowed = await CreateKeyAsync(actor.User, ReadWrite, scopedTeams: [other.Id, actor.ProjectId]);

        await AssertForbiddenAsync(
            await SendAsync(HttpMethod.Get, Collection(actor), key.Value), $"API key does not have access to the requested project: ID {actor.ProjectId}.");
        Assert.That((await SendAsync(HttpMethod.Get, Collection(actor), allowed.Value)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Key_scoped_to_other_organizations_is_403_naming_this_organization()
    {
        var actor = await CreateActorAsync();
        var other = await Admin.CreateOrganizationAsync(Unique("other"), CancellationToken.None);
        var key = await CreateKeyAsync(actor.User, ReadWrite, scopedOrganizations: [other.Id]);
        var allowed = await CreateKeyAsync(actor.User, ReadWrite, scopedOrganizations: [actor.Project.OrganizationId]);

        await AssertForbiddenAsync(
            await SendAsync(HttpMethod.Get, Collection(actor), key.Value),
            $"API key does not have access to the requested organization: ID {actor.Project.OrganizationId}.");
        Assert.That((await SendAsync(HttpMethod.Get, Collection(actor), allowed.Value)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Category(SurfaceFixtureAttribute.Smoke)]
    [Test]
    public async Task User_outside_the_projects_organization_is_403()
    {
        var project = await CreateProjectAsync();
        var outsider = await CreateActorAsync(project: project, member: false);
        var elsewhere = await CreateActorAsync();
        await Admin.SetCurrentProjectAsync(elsewhere.User.Email, project.Id, CancellationToken.None);

        await AssertForbiddenAsync(await SendAsync(HttpMethod.Get, Collection(outsider), outsider.Key), NoProjectAccess);
        await AssertForbiddenAsync(await SendAsync(HttpMethod.Post, Collection(outsider), outsider.Key, Json("""{"type":"home"}""")), NoProjectAccess);
        await AssertForbiddenAsync(await SendAsync(HttpMethod.Get, Routes.Collection(route, project.Id), elsewhere.Key), NoProjectAccess);
        await AssertForbiddenAsync(await SendAsync(HttpMethod.Get, Routes.Collection(route, "@current"), elsewhere.Key), NoProjectAccess);
        Assert.That(await IntegrationDatabase.ScalarAsync<long>("SELECT count(*) FROM persisted_folder"), Is.Zero);
    }

    [Test]
    public async Task Every_membership_level_has_access([Values("member", "admin", "owner")] string level)
    {
        var actor = await CreateActorAsync(level: level);

        var folder = await CreateFolderAsync(actor, "home", path: level);

        Assert.That((await ListAsync(actor)).Results, Is.EqualTo(new[] { folder }));
    }

    [Category(SurfaceFixtureAttribute.Smoke)]
    [Test]
    public async Task Unknown_project_is_404_before_any_403()
    {
        var actor = await CreateActorAsync(member: false, scopes: "insight:read", scopedTeams: [1], scopedOrganizations: [Guid.CreateVersion7()]);

        await AssertNotFoundAsync(await SendAsync(HttpMethod.Get, Routes.Collection(route, 424242), actor.Key), "Project not found.");
        await AssertNotFoundAsync(await SendAsync(HttpMethod.Post, Routes.Collection(route, "nope"), actor.Key, Json("""{"type":"home"}""")), "Project not found.");
    }

    [Test]
    public async Task Scoped_projects_are_checked_before_scoped_organizations_and_scopes()
    {
        var actor = await CreateActorAsync(member: false);
        var other = await CreateProjectAsync();
        var key = await CreateKeyAsync(actor.User, "insight:read", scopedTeams: [other.Id], scopedOrganizations: [other.OrganizationId]);

        await AssertForbiddenAsync(
            await SendAsync(HttpMethod.Get, Collection(actor), key.Value), $"API key does not have access to the requested project: ID {actor.ProjectId}.");
    }

    [Test]
    public async Task Scoped_organizations_are_checked_before_scopes()
    {
        var actor = await CreateActorAsync(member: false);
        var other = await Admin.CreateOrganizationAsync(Unique("other"), CancellationToken.None);
        var key = await CreateKeyAsync(actor.User, "insight:read", scopedOrganizations: [other.Id]);

        await AssertForbiddenAsync(
            await SendAsync(HttpMethod.Get, Collection(actor), key.Value),
            $"API key does not have access to the requested organization: ID {actor.Project.OrganizationId}.");
    }

    [Test]
    public async Task Scope_is_checked_before_membership()
    {
        var outsider = await CreateActorAsync(ReadOnly, member: false);

        await AssertForbiddenAsync(await SendAsync(HttpMethod.Post, Collection(outsider), outsider.Key, Json("""{"type":"home"}""")), MissingScope("write"));
        await AssertForbiddenAsync(await SendAsync(HttpMethod.Get, Collection(outsider), outsider.Key), NoProjectAccess);
    }

    private Task<HttpResponseMessage> SendWithKeyAsync(HttpMethod method, string url, string key, KeyPlace place, params (string Name, string Value)[] fields)
    {
        (string Name, string Value)[] withKey = [.. fields, ("personal_api_key", key)];
        return place switch
        {
            KeyPlace.Header => SendAsync(method, url, key, Json(System.Text.Json.JsonSerializer.Serialize(fields.ToDictionary(f => f.Name, f => f.Value)))),
            KeyPlace.JsonBody => SendAsync(method, url, null, Json(System.Text.Json.JsonSerializer.Serialize(withKey.ToDictionary(f => f.Name, f => f.Value)))),
            KeyPlace.FormBody => SendAsync(method, url, null, Form(withKey)),
            KeyPlace.MultipartBody => SendAsync(method, url, null, Multipart(withKey)),
            KeyPlace.Query => SendAsync(method, url + "?personal_api_key=" + Uri.EscapeDataString(key), null, Form(fields)),
            _ => throw new ArgumentOutOfRangeException(nameof(place)),
        };
    }
}
