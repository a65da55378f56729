using System.Net;
using System.Net.Http.Headers;

namespace PersistedFolder.Tests.Integration;

/// <summary>
/// SPEC §5 conditional requests (beyond PostHog): an <c>ETag</c> on every 200/201 that returns a folder
/// or a page, <c>If-None-Match</c> → 304 on GET/HEAD (weak comparison), <c>If-Match</c> on
/// PUT/PATCH/DELETE → 412 with nothing written when the folder changed (strong comparison), and
/// <c>*</c> as RFC 9110 §13.1 says.
/// </summary>
public partial class SurfaceContractTests
{
    private static readonly string[] WriteMethods = ["PUT", "PATCH", "DELETE"];

    private Task<HttpResponseMessage> SendConditionalAsync(
        HttpMethod method, string url, Actor actor, string header, string value, HttpContent? content = null) =>
        SendAsync(method, url, content, request =>
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", actor.Key);
            request.Headers.TryAddWithoutValidation(header, value);
        });

    private static string ETagOf(HttpResponseMessage response) =>
        response.Headers.ETag?.ToString() ?? throw new AssertionException($"No ETag on {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {(int)response.StatusCode}");

    private static StringContent? WriteBody(string method) => method switch
    {
        "PUT" => Json("""{"type":"home","path":"Root/Replaced"}"""),
        "PATCH" => Json("""{"path":"Root/Patched"}"""),
        _ => null,
    };

    private static Task<string?> StoredRowAsync(Guid id) =>
        IntegrationDatabase.ScalarAsync<string?>(
            "SELECT type || '|' || protocol || '|' || path || '|' || updated_at::text FROM persisted_folder WHERE id = @id", ("id", id));

    [Test]
    public async Task Every_success_that_returns_a_folder_or_a_page_carries_a_strong_etag()
    {
        var actor = await CreateActorAsync();
        var created = await SendAsync(HttpMethod.Post, Collection(actor), actor.Key, Json("""{"type":"home"}"""));
        var folder = await Wire.ReadFolderAsync(created);

        var responses = new[]
        {
            created,
            await SendAsync(HttpMethod.Get, Collection(actor), actor.Key),
            await SendAsync(HttpMethod.Head, Collection(actor), actor.Key),
            await SendAsync(HttpMethod.Get, Item(actor, folder.Id), actor.Key),
            await SendAsync(HttpMethod.Head, Item(actor, folder.Id), actor.Key),
            await SendAsync(HttpMethod.Put, Item(actor, folder.Id), actor.Key, Json("""{"type":"home"}""")),
            await SendAsync(HttpMethod.Patch, Item(actor, folder.Id), actor.Key, Json("{}")),
        };

        using (Assert.EnterMultipleScope())
        {
            foreach (var response in responses)
            {
                var name = $"{response.RequestMessage!.Method} {response.RequestMessage.RequestUri!.AbsolutePath}";
                Assert.That((int)response.StatusCode, Is.AnyOf(200, 201), name);
                Assert.That(response.Headers.ETag, Is.Not.Null, name);
                Assert.That(response.Headers.ETag?.IsWeak, Is.False, name);
            }
        }
    }

    [Test]
    public async Task Retrieve_get_and_head_share_the_etag_create_returned()
    {
        var actor = await CreateActorAsync();
        var created = await SendAsync(HttpMethod.Post, Collection(actor), actor.Key, Json("""{"type":"pinned"}"""));
        var folder = await Wire.ReadFolderAsync(created);

        var get = await SendAsync(HttpMethod.Get, Item(actor, folder.Id), actor.Key);
        var head = await SendAsync(HttpMethod.Head, Item(actor, folder.Id), actor.Key);

        Assert.That((ETagOf(get), ETagOf(head)), Is.EqualTo((ETagOf(created), ETagOf(created))));
    }

    [TestCase("GET", false)]
    [TestCase("HEAD", false)]
    [TestCase("GET", true)]
    [TestCase("HEAD", true)]
    [Category(SurfaceFixtureAttribute.Smoke)]
    public async Task Matching_if_none_match_is_304_with_no_body(string method, bool list)
    {
        var actor = await CreateActorAsync();
        var folder = await CreateFolderAsync(actor, "home");
        var url = list ? Collection(actor) : Item(actor, folder.Id);
        var first = await SendAsync(new HttpMethod(method), url, actor.Key);

        var again = await SendConditionalAsync(new HttpMethod(method), url, actor, "If-None-Match", ETagOf(first));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.NotModified));
            Assert.That(await again.Content.ReadAsByteArrayAsync(), Is.Empty);
            Assert.That(again.Content.Headers.ContentType, Is.Null);
            Assert.That(ETagOf(again), Is.EqualTo(ETagOf(first)));
        }
    }

    [Test]
    public async Task If_none_match_compares_weakly_and_takes_a_list()
    {
        var actor = await CreateActorAsync();
        var folder = await CreateFolderAsync(actor, "home");
        var tag = ETagOf(await SendAsync(HttpMethod.Get, Item(actor, folder.Id), actor.Key));

        var weak = await SendConditionalAsync(HttpMethod.Get, Item(actor, folder.Id), actor, "If-None-Match", "W/" + tag);
        var listed = await SendConditionalAsync(HttpMethod.Get, Item(actor, folder.Id), actor, "If-None-Match", $"\"other\", {tag}");
        var other = await SendConditionalAsync(HttpMethod.Get, Item(actor, folder.Id), actor, "If-None-Match", "\"other\"");

        Assert.That(
            (weak.StatusCode, listed.StatusCode, other.StatusCode),
            Is.EqualTo((HttpStatusCode.NotModified, HttpStatusCode.NotModified, HttpStatusCode.OK)));
    }

    [Test]
    public async Task If_none_match_star_is_304_for_an_existing_folder_and_404_stays_404()
    {
        var actor = await CreateActorAsync();
        var folder = await CreateFolderAsync(actor, "home");

        var existing = await SendConditionalAsync(HttpMethod.Get, Item(actor, folder.Id), actor, "If-None-Match", "*");
        var missing = await SendConditionalAsync(HttpMethod.Get, Item(actor, Guid.CreateVersion7()), actor, "If-None-Match", "*");

        Assert.That(existing.StatusCode, Is.EqualTo(HttpStatusCode.NotModified));
        await AssertNotFoundAsync(missing);
    }

    [TestCase("POST")]
    [TestCase("PUT")]
    [TestCase("PATCH")]
    [TestCase("DELETE")]
    public async Task Any_write_gives_the_folder_and_the_list_new_etags(string method)
    {
        var actor = await CreateActorAsync();
        var folder = await CreateFolderAsync(actor, "home");
        var itemTag = ETagOf(await SendAsync(HttpMethod.Get, Item(actor, folder.Id), actor.Key));
        var listTag = ETagOf(await SendAsync(HttpMethod.Get, Collection(actor), actor.Key));

        var write = method switch
        {
            "POST" => await SendAsync(HttpMethod.Post, Collection(actor), actor.Key, Json("""{"type":"home"}""")),
            _ => await SendAsync(new HttpMethod(method), Item(actor, folder.Id), actor.Key, WriteBody(method)),
        };
        Assert.That((int)write.StatusCode, Is.AnyOf(200, 201, 204));

        var item = await SendConditionalAsync(HttpMethod.Get, Item(actor, folder.Id), actor, "If-None-Match", itemTag);
        var list = await SendConditionalAsync(HttpMethod.Get, Collection(actor), actor, "If-None-Match", listTag);

        using (Assert.EnterMultipleScope())
        {
            if (method == "DELETE")
            {
                Assert.That(item.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            }
            else
            {
                Assert.That(item.StatusCode, Is.EqualTo(HttpStatusCode.OK));
                Assert.That(ETagOf(item), Is.Not.EqualTo(itemTag));
                Assert.That(ETagOf(write), Is.EqualTo(ETagOf(item)), "the write's own ETag is the new one");
            }

            Assert.That(list.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(ETagOf(list), Is.Not.EqualTo(listTag));
        }
    }

    [Test]
    public async Task A_new_folder_changes_the_list_etag()
    {
        var actor = await CreateActorAsync();
        await CreateFolderAsync(actor, "home");
        var listTag = ETagOf(await SendAsync(HttpMethod.Get, Collection(actor), actor.Key));

        await CreateFolderAsync(actor, "pinned");

        var list = await SendConditionalAsync(HttpMethod.Get, Collection(actor), actor, "If-None-Match", listTag);
        Assert.That(list.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [TestCaseSource(nameof(WriteMethods))]
    public async Task Matching_if_match_writes(string method)
    {
        var actor = await CreateActorAsync();
        var folder = await CreateFolderAsync(actor, "home");
        var tag = ETagOf(await SendAsync(HttpMethod.Get, Item(actor, folder.Id), actor.Key));

        var response = await SendConditionalAsync(new HttpMethod(method), Item(actor, folder.Id), actor, "If-Match", tag, WriteBody(method));

        Assert.That((int)response.StatusCode, Is.EqualTo(method == "DELETE" ? 204 : 200), await response.Content.ReadAsStringAsync());
        Assert.That(await StoredRowAsync(folder.Id), method == "DELETE" ? Is.Null : Does.Contain("Root/"));
    }

    [TestCaseSource(nameof(WriteMethods))]
    [Category(SurfaceFixtureAttribute.Smoke)]
    public async Task Stale_if_match_is_412_and_writes_nothing(string method)
    {
        var actor = await CreateActorAsync();
        var folder = await CreateFolderAsync(actor, "home", path: "Root/Before");
        var stale = ETagOf(await SendAsync(HttpMethod.Get, Item(actor, folder.Id), actor.Key));
        await SendAsync(HttpMethod.Patch, Item(actor, folder.Id), actor.Key, Json("""{"path":"Root/Other client"}"""));
        var stored = await StoredRowAsync(folder.Id);

        var response = await SendConditionalAsync(new HttpMethod(method), Item(actor, folder.Id), actor, "If-Match", stale, WriteBody(method));

        await AssertErrorAsync(
            response, HttpStatusCode.PreconditionFailed, "invalid_request", "precondition_failed",
            "The folder has changed: If-Match does not match its current ETag. Nothing was written.");
        Assert.That(await StoredRowAsync(folder.Id), Is.EqualTo(stored));
    }

    [TestCaseSource(nameof(WriteMethods))]
    public async Task If_match_compares_strongly_so_a_weak_or_foreign_tag_is_412(string method)
    {
        var actor = await CreateActorAsync();
        var folder = await CreateFolderAsync(actor, "home");
        var other = await CreateFolderAsync(actor, "pinned");
        var tag = ETagOf(await SendAsync(HttpMethod.Get, Item(actor, folder.Id), actor.Key));
        var othersTag = ETagOf(await SendAsync(HttpMethod.Get, Item(actor, other.Id), actor.Key));
        var stored = await StoredRowAsync(folder.Id);

        foreach (var value in new[] { "W/" + tag, othersTag, "\"garbage\"", "not an entity tag" })
        {
            var response = await SendConditionalAsync(new HttpMethod(method), Item(actor, folder.Id), actor, "If-Match", value, WriteBody(method));
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.PreconditionFailed), value);
        }

        Assert.That(await StoredRowAsync(folder.Id), Is.EqualTo(stored));
    }

    [TestCaseSource(nameof(WriteMethods))]
    public async Task If_match_takes_a_list_and_star_matches_any_existing_folder(string method)
    {
        var actor = await CreateActorAsync();
        var listed = await CreateFolderAsync(actor, "home");
        var starred = await CreateFolderAsync(actor, "pinned");
        var tag = ETagOf(await SendAsync(HttpMethod.Get, Item(actor, listed.Id), actor.Key));
        var starBody = method == "PUT" ? Json("""{"type":"pinned"}""") : WriteBody(method);

        var byList = await SendConditionalAsync(new HttpMethod(method), Item(actor, listed.Id), actor, "If-Match", $"\"stale\", {tag}", WriteBody(method));
        var byStar = await SendConditionalAsync(new HttpMethod(method), Item(actor, starred.Id), actor, "If-Match", "*", starBody);

        var success = method == "DELETE" ? 204 : 200;
        Assert.That(((int)byList.StatusCode, (int)byStar.StatusCode), Is.EqualTo((success, success)));
    }

    [TestCaseSource(nameof(WriteMethods))]
    public async Task If_match_on_a_missing_folder_is_still_404(string method)
    {
        var actor = await CreateActorAsync();
        var folder = await CreateFolderAsync(actor, "home");
        var tag = ETagOf(await SendAsync(HttpMethod.Get, Item(actor, folder.Id), actor.Key));
        await SendAsync(HttpMethod.Delete, Item(actor, folder.Id), actor.Key);

        foreach (var value in new[] { tag, "*" })
        {
            await AssertNotFoundAsync(await SendConditionalAsync(new HttpMethod(method), Item(actor, folder.Id), actor, "If-Match", value, WriteBody(method)));
        }
    }

    [Test]
    public async Task Two_clients_with_the_same_etag_one_wins_the_other_gets_412()
    {
        var actor = await CreateActorAsync();
        var folder = await CreateFolderAsync(actor, "home");
        var tag = ETagOf(await SendAsync(HttpMethod.Get, Item(actor, folder.Id), actor.Key));

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            SendConditionalAsync(HttpMethod.Patch, Item(actor, folder.Id), actor, "If-Match", tag, Json($$"""{"path":"Root/Client {{i}}"}"""))));

        var statuses = results.Select(response => (int)response.StatusCode).ToList();
        Assert.That(statuses.Count(status => status == 200), Is.EqualTo(1), string.Join(',', statuses));
        Assert.That(statuses.Count(status => status == 412), Is.EqualTo(7), string.Join(',', statuses));
        var winner = await Wire.ReadFolderAsync(results.Single(response => response.StatusCode == HttpStatusCode.OK));
        Assert.That((await RetrieveAsync(actor, folder.Id)).Path, Is.EqualTo(winner.Path));
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task If_match_on_a_read_is_evaluated_too(bool list)
    {
        var actor = await CreateActorAsync();
        var folder = await CreateFolderAsync(actor, "home");
        var url = list ? Collection(actor) : Item(actor, folder.Id);
        var tag = ETagOf(await SendAsync(HttpMethod.Get, url, actor.Key));

        var matching = await SendConditionalAsync(HttpMethod.Get, url, actor, "If-Match", tag);
        var star = await SendConditionalAsync(HttpMethod.Get, url, actor, "If-Match", "*");
        var stale = await SendConditionalAsync(HttpMethod.Get, url, actor, "If-Match", "\"stale\"");

        Assert.That((matching.StatusCode, star.StatusCode), Is.EqualTo((HttpStatusCode.OK, HttpStatusCode.OK)));
        Assert.That(stale.StatusCode, Is.EqualTo(HttpStatusCode.PreconditionFailed));
    }
}
