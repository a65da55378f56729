using System.Net;

namespace PersistedFolder.Tests.Integration;

/// <summary>SPEC §5: list, create (upsert), retrieve, replace, update, delete, and the accepted bodies.</summary>
public partial class SurfaceContractTests
{
    private static readonly string[] TypesInListOrder = ["custom_products", "home", "pinned"];

    [Test]
    public async Task Empty_list_is_an_empty_page()
    {
        var actor = await CreateActorAsync();

        var page = await ListAsync(actor);

        Assert.That((page.Count, page.Next, page.Previous, page.Results.Count), Is.EqualTo((0, (string?)null, (string?)null, 0)));
    }

    [Test]
    public async Task List_is_ordered_by_lower_type_whatever_the_insert_order()
    {
        var actor = await CreateActorAsync();
        foreach (var type in new[] { "pinned", "home", "custom_products" })
        {
            await CreateFolderAsync(actor, type);
        }

        var page = await ListAsync(actor);

        Assert.That(page.Results.Select(f => f.Type), Is.EqualTo(TypesInListOrder));
    }

    [Category(SurfaceFixtureAttribute.Smoke)]
    [Test]
    public async Task List_shows_only_the_users_own_folders_in_this_project_and_surface()
    {
        var project = await CreateProjectAsync();
        var actor = await CreateActorAsync(project: project);
        var mine = await CreateFolderAsync(actor, "home", path: "mine");
        await CreateFolderAsync(await CreateActorAsync(project: project), "pinned", path: "another user's");
        await CreateFolderAsync(actor, "pinned", path: "other surface", onRoute: OtherRoute);
        await CreateFolderInAnotherProjectAsync(actor);

        var page = await ListAsync(actor);

        Assert.That(page.Count, Is.EqualTo(1));
        Assert.That(page.Results, Is.EqualTo(new[] { mine }));
    }

    [Category(SurfaceFixtureAttribute.Smoke)]
    [Test]
    public async Task Create_answers_201_with_the_saved_folder_as_json()
    {
        var actor = await CreateActorAsync();

        var response = await SendAsync(HttpMethod.Post, Collection(actor), actor.Key, Json("""{"type":"pinned","protocol":"products://","path":"Root/Pinned"}"""));

        var folder = await ExpectAsync(response, HttpStatusCode.Created, Wire.ReadFolderAsync);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
            Assert.That((folder.Type, folder.Protocol, folder.Path), Is.EqualTo(("pinned", "products://", "Root/Pinned")));
            Assert.That(folder.CreatedAt, Is.EqualTo(folder.UpdatedAt));
            Assert.That(await StoredSurfaceOfAsync(folder.Id), Is.EqualTo(StoredSurface));
            Assert.That(await RetrieveAsync(actor, folder.Id), Is.EqualTo(folder));
        }
    }

    [Test]
    public async Task Create_with_only_a_type_stores_the_default_protocol_and_an_empty_path()
    {
        var actor = await CreateActorAsync();

        var folder = await CreateFolderAsync(actor, "custom_products");

        Assert.That((folder.Protocol, folder.Path), Is.EqualTo(("products://", string.Empty)));
        Assert.That(await RetrieveAsync(actor, folder.Id), Is.EqualTo(folder));
    }

    [Test]
    public async Task Create_of_an_existing_type_updates_it_in_place_and_resets_omitted_fields()
    {
        var actor = await CreateActorAsync();
        var first = await CreateFolderAsync(actor, "home", "first://", "One");

        var replaced = await CreateFolderAsync(actor, "home", "second://", "Two");
        var reset = await CreateFolderAsync(actor, "home");

        using (Assert.EnterMultipleScope())
        {
            Assert.That((replaced.Id, replaced.CreatedAt, replaced.Protocol, replaced.Path), Is.EqualTo((first.Id, first.CreatedAt, "second://", "Two")));
            Assert.That((reset.Id, reset.CreatedAt, reset.Protocol, reset.Path), Is.EqualTo((first.Id, first.CreatedAt, "products://", string.Empty)));
            Assert.That(string.CompareOrdinal(reset.UpdatedAt, first.UpdatedAt), Is.GreaterThan(0), "updated_at moves");
            Assert.That(await CountRowsAsync(actor), Is.EqualTo(1));
            Assert.That((await ListAsync(actor)).Results, Is.EqualTo(new[] { reset }));
        }
    }

    [Test]
    public async Task Legacy_folder_without_a_surface_belongs_to_web_only()
    {
        var actor = await CreateActorAsync();
        var legacy = await PlantLegacyFolderAsync(actor, "home");

        var listed = (await ListAsync(actor)).Results.Select(f => f.Id);
        var retrieved = await SendAsync(HttpMethod.Get, Item(actor, legacy), actor.Key);
        var patched = await SendAsync(HttpMethod.Patch, Item(actor, legacy), actor.Key, Json("""{"path":"Patched"}"""));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(listed, Is.EqualTo(IsWeb ? new[] { legacy } : []));
            Assert.That(retrieved.StatusCode, Is.EqualTo(IsWeb ? HttpStatusCode.OK : HttpStatusCode.NotFound));
            Assert.That(patched.StatusCode, Is.EqualTo(IsWeb ? HttpStatusCode.OK : HttpStatusCode.NotFound));
            Assert.That(await StoredSurfaceOfAsync(legacy), Is.Null, "a change never writes the surface of a legacy row");
        }

        var deleted = await SendAsync(HttpMethod.Delete, Item(actor, legacy), actor.Key);
        Assert.That(deleted.StatusCode, Is.EqualTo(IsWeb ? HttpStatusCode.NoContent : HttpStatusCode.NotFound));
    }

    [Test]
    public async Task Create_on_web_upserts_a_legacy_folder_and_its_surface_stays_null()
    {
        var actor = await CreateActorAsync();
        var legacy = await PlantLegacyFolderAsync(actor, "home");

        var created = await CreateFolderAsync(actor, "home", path: "New");

        var rows = await CountRowsAsync(actor);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await StoredSurfaceOfAsync(legacy), Is.Null);
            Assert.That((created.Protocol, created.Path), Is.EqualTo(("products://", "New")));
            if (IsWeb)
            {
                Assert.That((created.Id, created.CreatedAt, rows), Is.EqualTo((legacy, "2020-01-02T03:04:05.123456Z", 1L)));
                Assert.That(string.CompareOrdinal(created.UpdatedAt, "2020-01-02T03:04:05.123456Z"), Is.GreaterThan(0), "updated_at moves");
            }
            else
            {
                Assert.That((created.Id == legacy, rows), Is.EqualTo((false, 2L)), "the desktop folder is a row of its own");
                Assert.That(await StoredSurfaceOfAsync(created.Id), Is.EqualTo("desktop"));
            }
        }
    }

    [Test]
    public async Task Same_type_exists_once_on_each_surface()
    {
        var actor = await CreateActorAsync();

        var here = await CreateFolderAsync(actor, "home", path: "here");
        var there = await CreateFolderAsync(actor, "home", path: "there", onRoute: OtherRoute);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(here.Id, Is.Not.EqualTo(there.Id));
            Assert.That((await ListAsync(actor)).Results, Is.EqualTo(new[] { here }));
            Assert.That((await ListAsync(actor, OtherRoute)).Results, Is.EqualTo(new[] { there }));
        }
    }

    [Test]
    public async Task Put_replaces_the_given_fields_and_keeps_omitted_ones()
    {
        var actor = await CreateActorAsync();
        var folder = await CreateFolderAsync(actor, "home", "a://", "Old");

        var everything = await SendAsync(HttpMethod.Put, Item(actor, folder.Id), actor.Key, Json("""{"type":"home","protocol":"q://","path":"New"}"""));
        var typeOnly = await SendAsync(HttpMethod.Put, Item(actor, folder.Id), actor.Key, Json("""{"type":"home"}"""));

        var replaced = await ExpectAsync(everything, HttpStatusCode.OK, Wire.ReadFolderAsync);
        var kept = await ExpectAsync(typeOnly, HttpStatusCode.OK, Wire.ReadFolderAsync);
        using (Assert.EnterMultipleScope())
        {
            Assert.That((replaced.Id, replaced.CreatedAt, replaced.Protocol, replaced.Path), Is.EqualTo((folder.Id, folder.CreatedAt, "q://", "New")));
            Assert.That((kept.Protocol, kept.Path), Is.EqualTo(("q://", "New")));
            Assert.That(await RetrieveAsync(actor, folder.Id), Is.EqualTo(kept));
        }
    }

    [Category(SurfaceFixtureAttribute.Smoke)]
    [Test]
    public async Task Patch_changes_only_the_fields_it_carries()
    {
        var actor = await CreateActorAsync();
        var folder = await CreateFolderAsync(actor, "pinned", "p://", "Old");

        var path = await ExpectAsync(
            await SendAsync(HttpMethod.Patch, Item(actor, folder.Id), actor.Key, Json("""{"path":"New"}""")), HttpStatusCode.OK, Wire.ReadFolderAsync);
        var protocol = await ExpectAsync(
            await SendAsync(HttpMethod.Patch, Item(actor, folder.Id), actor.Key, Json("""{"protocol":"z://"}""")), HttpStatusCode.OK, Wire.ReadFolderAsync);

        using (Assert.EnterMultipleScope())
        {
            Assert.That((path.Id, path.Type, path.Protocol, path.Path), Is.EqualTo((folder.Id, "pinned", "p://", "New")));
            Assert.That((protocol.Type, protocol.Protocol, protocol.Path, protocol.CreatedAt), Is.EqualTo(("pinned", "z://", "New", folder.CreatedAt)));
            Assert.That(await RetrieveAsync(actor, folder.Id), Is.EqualTo(protocol));
        }
    }

    [Test]
    public async Task Patch_with_an_empty_or_missing_body_moves_only_updated_at()
    {
        var actor = await CreateActorAsync();
        var folder = await CreateFolderAsync(actor, "home", "p://", "Keep");

        var empty = await ExpectAsync(await SendAsync(HttpMethod.Patch, Item(actor, folder.Id), actor.Key, Json("{}")), HttpStatusCode.OK, Wire.ReadFolderAsync);
        var none = await ExpectAsync(await SendAsync(HttpMethod.Patch, Item(actor, folder.Id), actor.Key), HttpStatusCode.OK, Wire.ReadFolderAsync);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(empty with { UpdatedAt = folder.UpdatedAt }, Is.EqualTo(folder));
            Assert.That(none with { UpdatedAt = folder.UpdatedAt }, Is.EqualTo(folder));
            Assert.That(string.CompareOrdinal(none.UpdatedAt, folder.UpdatedAt), Is.GreaterThan(0), "updated_at moves");
        }
    }

    [Test]
    public async Task Post_without_a_body_is_a_missing_type()
    {
        var actor = await CreateActorAsync();

        await AssertInvalidAsync(await SendAsync(HttpMethod.Post, Collection(actor), actor.Key), "required", "This field is required.", "type");
        Assert.That(await CountRowsAsync(actor), Is.Zero);
    }

    [Test]
    public async Task Changing_type_to_a_free_type_keeps_the_id_and_frees_the_old_type()
    {
        var actor = await CreateActorAsync();
        var folder = await CreateFolderAsync(actor, "home", path: "P");

        var patched = await ExpectAsync(
            await SendAsync(HttpMethod.Patch, Item(actor, folder.Id), actor.Key, Json("""{"type":"pinned"}""")), HttpStatusCode.OK, Wire.ReadFolderAsync);
        var put = await ExpectAsync(
            await SendAsync(HttpMethod.Put, Item(actor, folder.Id), actor.Key, Json("""{"type":"custom_products"}""")), HttpStatusCode.OK, Wire.ReadFolderAsync);
        var fresh = await CreateFolderAsync(actor, "home");

        using (Assert.EnterMultipleScope())
        {
            Assert.That((patched.Id, patched.Type, patched.Path), Is.EqualTo((folder.Id, "pinned", "P")));
            Assert.That((put.Id, put.Type, put.Path), Is.EqualTo((folder.Id, "custom_products", "P")));
            Assert.That(fresh.Id, Is.Not.EqualTo(folder.Id));
        }
    }

    [TestCase("PATCH", """{"type":"pinned"}""")]
    [TestCase("PUT", """{"type":"pinned","path":"changed"}""")]
    public async Task Changing_type_to_a_type_already_taken_on_this_surface_is_400_unique(string method, string body)
    {
        var actor = await CreateActorAsync();
        var home = await CreateFolderAsync(actor, "home", path: "Home");
        var pinned = await CreateFolderAsync(actor, "pinned", path: "Pinned");

        var response = await SendAsync(new HttpMethod(method), Item(actor, home.Id), actor.Key, Json(body));

        await AssertInvalidAsync(response, "unique", "A folder of this type already exists.", "type");
        Assert.That((await ListAsync(actor)).Results, Is.EqualTo(new[] { home, pinned }), "nothing changed");
    }

    [Test]
    public async Task Changing_type_to_a_type_that_exists_only_on_the_other_surface_is_allowed()
    {
        var actor = await CreateActorAsync();
        var folder = await CreateFolderAsync(actor, "home");
        var elsewhere = await CreateFolderAsync(actor, "pinned", onRoute: OtherRoute);

        var moved = await ExpectAsync(
            await SendAsync(HttpMethod.Patch, Item(actor, folder.Id), actor.Key, Json("""{"type":"pinned"}""")), HttpStatusCode.OK, Wire.ReadFolderAsync);

        using (Assert.EnterMultipleScope())
        {
            Assert.That((moved.Id, moved.Type), Is.EqualTo((folder.Id, "pinned")));
            Assert.That((await ListAsync(actor, OtherRoute)).Results, Is.EqualTo(new[] { elsewhere }));
        }
    }

    [Test]
    public async Task Put_and_patch_never_change_the_surface()
    {
        var actor = await CreateActorAsync();
        var folder = await CreateFolderAsync(actor, "home");

        await SendAsync(HttpMethod.Patch, Item(actor, folder.Id), actor.Key, Json("""{"path":"a","surface":"elsewhere"}"""));
        var put = await SendAsync(HttpMethod.Put, Item(actor, folder.Id), actor.Key, Json($$"""{"type":"pinned","path":"b","surface":"{{Routes.StoredSurface(OtherRoute)}}"}"""));

        Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await StoredSurfaceOfAsync(folder.Id), Is.EqualTo(StoredSurface));
        Assert.That((await ListAsync(actor, OtherRoute)).Count, Is.Zero);
    }

    [Category(SurfaceFixtureAttribute.Smoke)]
    [Test]
    public async Task Delete_answers_204_with_no_body_and_no_content_type()
    {
        var actor = await CreateActorAsync();
        var folder = await CreateFolderAsync(actor, "home");
        var other = await CreateFolderAsync(actor, "pinned");

        var response = await SendAsync(HttpMethod.Delete, Item(actor, folder.Id), actor.Key);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.Empty);
            Assert.That(response.Content.Headers.ContentType, Is.Null);
        }

        await AssertNotFoundAsync(await SendAsync(HttpMethod.Get, Item(actor, folder.Id), actor.Key));
        await AssertNotFoundAsync(await SendAsync(HttpMethod.Delete, Item(actor, folder.Id), actor.Key));
        Assert.That((await ListAsync(actor)).Results, Is.EqualTo(new[] { other }));
        Assert.That((await CreateFolderAsync(actor, "home")).Id, Is.Not.EqualTo(folder.Id), "a deleted id is not reused");
    }

    [Category(SurfaceFixtureAttribute.Smoke)]
    [Test]
    public async Task Form_urlencoded_bodies_are_accepted_on_every_write()
    {
        var actor = await CreateActorAsync();

        var created = await ExpectAsync(
            await SendAsync(HttpMethod.Post, Collection(actor), actor.Key, Form(("type", "home"), ("path", "Root"))), HttpStatusCode.Created, Wire.ReadFolderAsync);
        var put = await ExpectAsync(
            await SendAsync(HttpMethod.Put, Item(actor, created.Id), actor.Key, Form(("type", "home"), ("protocol", "f://"))), HttpStatusCode.OK, Wire.ReadFolderAsync);
        var patched = await ExpectAsync(
            await SendAsync(HttpMethod.Patch, Item(actor, created.Id), actor.Key, Form(("path", "Form"))), HttpStatusCode.OK, Wire.ReadFolderAsync);

        using (Assert.EnterMultipleScope())
        {
            Assert.That((created.Type, created.Protocol, created.Path), Is.EqualTo(("home", "products://", "Root")));
            Assert.That((put.Protocol, put.Path), Is.EqualTo(("f://", "Root")));
            Assert.That((patched.Protocol, patched.Path), Is.EqualTo(("f://", "Form")));
        }
    }

    [Test]
    public async Task Multipart_form_data_bodies_are_accepted()
    {
        var actor = await CreateActorAsync();

        var created = await ExpectAsync(
            await SendAsync(HttpMethod.Post, Collection(actor), actor.Key, Multipart(("type", "pinned"), ("protocol", "m://"), ("path", "Multi"))),
            HttpStatusCode.Created,
            Wire.ReadFolderAsync);
        var patched = await ExpectAsync(
            await SendAsync(HttpMethod.Patch, Item(actor, created.Id), actor.Key, Multipart(("path", "Part"))), HttpStatusCode.OK, Wire.ReadFolderAsync);

        Assert.That((created.Type, created.Protocol, created.Path), Is.EqualTo(("pinned", "m://", "Multi")));
        Assert.That(patched.Path, Is.EqualTo("Part"));
    }

    [Test]
    public async Task Unknown_and_read_only_fields_are_ignored()
    {
        var actor = await CreateActorAsync();
        var bogus = Guid.CreateVersion7();
        const string old = "2001-01-01T00:00:00.000000Z";

        var created = await ExpectAsync(
            await SendAsync(HttpMethod.Post, Collection(actor), actor.Key, Json($$"""
                {"type":"home","path":"x","id":"{{bogus}}","created_at":"{{old}}","updated_at":"{{old}}",
                 "surface":"elsewhere","team_id":999,"user_id":999,"colour":"red"}
                """)),
            HttpStatusCode.Created,
            Wire.ReadFolderAsync);
        var patched = await ExpectAsync(
            await SendAsync(HttpMethod.Patch, Item(actor, created.Id), actor.Key, Json($$"""{"id":"{{bogus}}","created_at":"{{old}}","path":"y","colour":"blue"}""")),
            HttpStatusCode.OK,
            Wire.ReadFolderAsync);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(created.Id, Is.Not.EqualTo(bogus));
            Assert.That(created.CreatedAt, Is.Not.EqualTo(old));
            Assert.That(await StoredSurfaceOfAsync(created.Id), Is.EqualTo(StoredSurface));
            Assert.That((patched.Id, patched.CreatedAt, patched.Path), Is.EqualTo((created.Id, created.CreatedAt, "y")));
            Assert.That(await CountRowsAsync(actor), Is.EqualTo(1));
        }
    }

    [Test]
    public async Task Protocol_and_path_are_trimmed_before_they_are_stored()
    {
        var actor = await CreateActorAsync();

        var created = await CreateFolderAsync(actor, "home", "  x://\t", "\n Root/Home  ");
        var patched = await ExpectAsync(
            await SendAsync(HttpMethod.Patch, Item(actor, created.Id), actor.Key, Form(("path", "  Spaced  "))), HttpStatusCode.OK, Wire.ReadFolderAsync);

        Assert.That((created.Protocol, created.Path), Is.EqualTo(("x://", "Root/Home")));
        Assert.That(patched.Path, Is.EqualTo("Spaced"));
        Assert.That(await RetrieveAsync(actor, created.Id), Is.EqualTo(patched));
    }

    [Test]
    public async Task Long_and_non_ascii_values_round_trip_exactly()
    {
        var actor = await CreateActorAsync();
        var longPath = string.Join('/', Enumerable.Range(0, 2000).Select(i => $"segment{i}"));
        const string text = "Répertoire/文件/🚀/é";

        var longFolder = await CreateFolderAsync(actor, "home", path: longPath);
        var unicode = await CreateFolderAsync(actor, "pinned", "ünï://", text);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(longFolder.Path, Is.EqualTo(longPath));
            Assert.That((unicode.Protocol, unicode.Path), Is.EqualTo(("ünï://", text)));
            Assert.That(await RetrieveAsync(actor, unicode.Id), Is.EqualTo(unicode));
            Assert.That(await RetrieveAsync(actor, longFolder.Id), Is.EqualTo(longFolder));
        }
    }

    [Test]
    public async Task Concurrent_creates_of_one_type_all_answer_201_with_one_row()
    {
        var actor = await CreateActorAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, 32).Select(i =>
            SendAsync(HttpMethod.Post, Collection(actor), actor.Key, Json($$"""{"type":"home","path":"p{{i}}"}"""))));

        Assert.That(responses.Select(r => r.StatusCode), Is.All.EqualTo(HttpStatusCode.Created));
        var ids = new HashSet<Guid>();
        foreach (var response in responses)
        {
            ids.Add((await Wire.ReadFolderAsync(response)).Id);
        }

        Assert.That(ids, Has.Count.EqualTo(1));
        Assert.That(await CountRowsAsync(actor), Is.EqualTo(1));
    }
}
