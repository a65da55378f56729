using System.Net;

namespace PersistedFolder.Tests.Integration;

/// <summary>SPEC §3: routes, <c>@current</c>, unknown projects, folders and endpoints.</summary>
public partial class SurfaceContractTests
{
    public enum ForeignFolder
    {
        Malformed,
        Unknown,
        AnotherUsers,
        AnotherTeams,
        OtherSurfaces,
    }

    [Test]
    public async Task Every_route_answers_without_a_trailing_slash_and_never_redirects()
    {
        var actor = await CreateActorAsync();

        var created = await SendAsync(HttpMethod.Post, Collection(actor, slash: false), actor.Key, Json("""{"type":"home","path":"x"}"""));
        var folder = await ExpectAsync(created, HttpStatusCode.Created, Wire.ReadFolderAsync);
        var list = await ExpectAsync(await SendAsync(HttpMethod.Get, Collection(actor, slash: false), actor.Key), HttpStatusCode.OK, Wire.ReadPageAsync);
        var retrieved = await ExpectAsync(await SendAsync(HttpMethod.Get, Item(actor, folder.Id, slash: false), actor.Key), HttpStatusCode.OK, Wire.ReadFolderAsync);
        var put = await SendAsync(HttpMethod.Put, Item(actor, folder.Id, slash: false), actor.Key, Json("""{"type":"home","path":"y"}"""));
        var patch = await SendAsync(HttpMethod.Patch, Item(actor, folder.Id, slash: false), actor.Key, Json("""{"path":"z"}"""));
        var delete = await SendAsync(HttpMethod.Delete, Item(actor, folder.Id, slash: false), actor.Key);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(list.Results, Is.EqualTo(new[] { folder }));
            Assert.That(retrieved, Is.EqualTo(folder));
            Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(patch.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(delete.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        }
    }

    [Test]
    public async Task At_current_is_the_users_current_project()
    {
        var actor = await CreateActorAsync();
        await Admin.SetCurrentProjectAsync(actor.User.Email, actor.ProjectId, CancellationToken.None);

        var created = await SendAsync(HttpMethod.Post, Routes.Collection(route, "@current"), actor.Key, Json("""{"type":"pinned"}"""));
        var folder = await ExpectAsync(created, HttpStatusCode.Created, Wire.ReadFolderAsync);
        var retrieved = await SendAsync(HttpMethod.Get, Routes.Item(route, "@current", folder.Id), actor.Key);

        Assert.That(await ExpectAsync(retrieved, HttpStatusCode.OK, Wire.ReadFolderAsync), Is.EqualTo(folder));
        Assert.That((await ListAsync(actor)).Results, Is.EqualTo(new[] { folder }));
    }

    [Test]
    public async Task At_current_without_a_current_project_is_project_not_found()
    {
        var actor = await CreateActorAsync();

        await AssertNotFoundAsync(await SendAsync(HttpMethod.Get, Routes.Collection(route, "@current"), actor.Key), "Project not found.");
        await AssertNotFoundAsync(
            await SendAsync(HttpMethod.Post, Routes.Collection(route, "@current"), actor.Key, Json("""{"type":"home"}""")), "Project not found.");
        Assert.That(await CountRowsAsync(actor), Is.Zero);
    }

    [TestCase("abc")]
    [TestCase("1.5")]
    [TestCase("-1")]
    [TestCase("+1")]
    [TestCase("99999999999999999999")]
    [TestCase("424242")]
    [TestCase("current")]
    public async Task Project_that_cannot_be_resolved_is_project_not_found_on_every_operation(string project)
    {
        var actor = await CreateActorAsync();
        var id = Guid.CreateVersion7();
        var body = """{"type":"home"}""";

        var responses = new[]
        {
            await SendAsync(HttpMethod.Get, Routes.Collection(route, project), actor.Key),
            await SendAsync(HttpMethod.Post, Routes.Collection(route, project), actor.Key, Json(body)),
            await SendAsync(HttpMethod.Get, Routes.Item(route, project, id), actor.Key),
            await SendAsync(HttpMethod.Put, Routes.Item(route, project, id), actor.Key, Json(body)),
            await SendAsync(HttpMethod.Patch, Routes.Item(route, project, id), actor.Key, Json(body)),
            await SendAsync(HttpMethod.Delete, Routes.Item(route, project, id), actor.Key),
        };

        foreach (var response in responses)
        {
            await AssertNotFoundAsync(response, "Project not found.");
        }

        Assert.That(await CountRowsAsync(actor), Is.Zero);
    }

    [Test]
    public async Task Folder_that_is_not_the_users_own_on_this_surface_is_not_found([Values] ForeignFolder foreign)
    {
        var project = await CreateProjectAsync();
        var actor = await CreateActorAsync(project: project);
        object id = foreign switch
        {
            ForeignFolder.Malformed => "not-a-uuid",
            ForeignFolder.Unknown => Guid.CreateVersion7(),
            ForeignFolder.AnotherUsers => (await CreateFolderAsync(await CreateActorAsync(project: project), "home")).Id,
            ForeignFolder.AnotherTeams => await CreateFolderInAnotherProjectAsync(actor),
            ForeignFolder.OtherSurfaces => (await CreateFolderAsync(actor, "home", onRoute: OtherRoute)).Id,
            _ => throw new ArgumentOutOfRangeException(nameof(foreign)),
        };
        var before = await IntegrationDatabase.ScalarAsync<string>("SELECT string_agg(id::text || path, ',' ORDER BY id) FROM persisted_folder");

        foreach (var method in new[] { HttpMethod.Get, HttpMethod.Head, HttpMethod.Put, HttpMethod.Patch, HttpMethod.Delete })
        {
            var response = await SendAsync(method, Item(actor, id), actor.Key, method == HttpMethod.Put || method == HttpMethod.Patch ? Json("""{"type":"pinned","path":"stolen"}""") : null);
            if (method == HttpMethod.Head)
            {
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "HEAD");
            }
            else
            {
                await AssertNotFoundAsync(response);
            }
        }

        var after = await IntegrationDatabase.ScalarAsync<string>("SELECT string_agg(id::text || path, ',' ORDER BY id) FROM persisted_folder");
        Assert.That(after, Is.EqualTo(before), "the foreign folder is untouched");
    }

    [Test]
    public async Task Unknown_folder_is_not_found_whatever_the_body_says()
    {
        var actor = await CreateActorAsync();
        var missing = Guid.CreateVersion7();

        await AssertNotFoundAsync(await SendAsync(HttpMethod.Put, Item(actor, missing), actor.Key, Json("""{"path":"no type"}""")));
        await AssertNotFoundAsync(await SendAsync(HttpMethod.Patch, Item(actor, missing), actor.Key, Json("""{"type":"nope"}""")));
        await AssertNotFoundAsync(await SendAsync(HttpMethod.Put, Item(actor, "not-a-uuid"), actor.Key, Json("""{"type":null}""")));
    }

    [Test]
    public async Task Other_paths_under_api_are_endpoint_not_found()
    {
        var actor = await CreateActorAsync();
        var folder = await CreateFolderAsync(actor, "home");

        // Under the folder routes' own prefixes, in a host too.
        await AssertNotFoundAsync(await SendAsync(HttpMethod.Get, Item(actor, folder.Id) + "children/", actor.Key), "Endpoint not found.");

        string[] elsewhere =
        [
            Collection(actor, slash: false) + "s/",
            $"/api/projects/{actor.ProjectId}/",
            "/api/no_such_endpoint/",
            "/api/",
        ];
        foreach (var path in elsewhere)
        {
            var response = await SendAsync(HttpMethod.Get, path, actor.Key);
            if (OwnsAllOfApi)
            {
                await AssertNotFoundAsync(response, "Endpoint not found.");
            }
            else
            {
                // A host's own paths: its own 404, never the API's body.
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), path);
                Assert.That(await response.Content.ReadAsStringAsync(), Does.Not.Contain("Endpoint not found."), path);
            }
        }
    }

    private async Task<Guid> CreateFolderInAnotherProjectAsync(Actor actor)
    {
        var second = await Admin.CreateProjectAsync(actor.Project.OrganizationId, Unique("second"), CancellationToken.None);
        var response = await SendAsync(HttpMethod.Post, Routes.Collection(route, second.Id), actor.Key, Json("""{"type":"home"}"""));
        return (await ExpectAsync(response, HttpStatusCode.Created, Wire.ReadFolderAsync)).Id;
    }
}
