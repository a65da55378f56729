using System.Net;

namespace PersistedFolder.Tests.Integration;

/// <summary>SPEC §5: concurrent writes never make two rows of one key and never fail with a 500.</summary>
public sealed class ConcurrencyTests : ApiFixture
{
    private const int Concurrency = 32;
    private static readonly string[] Types = ["home", "pinned", "custom_products"];

    [TestCase(Routes.Web)]
    [TestCase(Routes.Desktop)]
    public async Task Concurrent_creates_of_one_type_on_one_surface_make_one_row(string route)
    {
        var actor = await CreateActorAsync();

        var responses = await PostConcurrentlyAsync(actor, route, Enumerable.Repeat("home", Concurrency));

        var ids = await IdsAsync(responses);
        Assert.That(ids, Has.Count.EqualTo(1), "every answer names the same folder");
        Assert.That(await RowsAsync(actor), Is.EqualTo(1));
    }

    [Test]
    public async Task Concurrent_creates_on_web_all_update_a_legacy_row()
    {
        var actor = await CreateActorAsync();
        var legacy = Guid.CreateVersion7();
        await IntegrationDatabase.ExecuteAsync(
            "INSERT INTO persisted_folder (id, team_id, user_id, type, surface) VALUES (@id, @team, @user, 'home', NULL)",
            ("id", legacy), ("team", actor.ProjectId), ("user", actor.User.Id));

        var responses = await PostConcurrentlyAsync(actor, Routes.Web, Enumerable.Repeat("home", Concurrency));

        Assert.That(await IdsAsync(responses), Is.EqualTo(new HashSet<Guid> { legacy }));
        Assert.That(await RowsAsync(actor), Is.EqualTo(1));
        Assert.That(await IntegrationDatabase.ScalarAsync<string?>("SELECT surface FROM persisted_folder WHERE id = @id", ("id", legacy)), Is.Null);
    }

    [Test]
    public async Task Concurrent_creates_of_every_type_on_both_surfaces_make_one_row_each()
    {
        var actor = await CreateActorAsync();
        var types = Enumerable.Range(0, Concurrency).Select(i => Types[i % 3]).ToList();

        var web = PostConcurrentlyAsync(actor, Routes.Web, types);
        var desktop = PostConcurrentlyAsync(actor, Routes.Desktop, types);
        await Task.WhenAll(web, desktop);

        Assert.That(await IdsAsync([.. await web, .. await desktop]), Has.Count.EqualTo(6));
        Assert.That(await RowsAsync(actor), Is.EqualTo(6));
    }

    [Test]
    public async Task Concurrent_moves_to_one_free_type_let_one_win_and_refuse_the_other_with_400_unique()
    {
        var actor = await CreateActorAsync();
        for (var round = 0; round < 5; round++)
        {
            var home = await PostAsync(actor, "home");
            var pinned = await PostAsync(actor, "pinned");

            var moves = await Task.WhenAll(
                SendAsync(HttpMethod.Patch, Routes.Item(Routes.Web, actor.ProjectId, home), actor.Key, Json("""{"type":"custom_products"}""")),
                SendAsync(HttpMethod.Patch, Routes.Item(Routes.Web, actor.ProjectId, pinned), actor.Key, Json("""{"type":"custom_products"}""")));

            Assert.That(moves.Select(m => m.StatusCode), Is.EquivalentTo(new[] { HttpStatusCode.OK, HttpStatusCode.BadRequest }), $"round {round}");
            var refused = moves.Single(m => m.StatusCode == HttpStatusCode.BadRequest);
            Assert.That(await Wire.ReadErrorAsync(refused), Is.EqualTo(new ErrorBody("validation_error", "unique", "A folder of this type already exists.", "type")));
            await IntegrationDatabase.ExecuteAsync("DELETE FROM persisted_folder WHERE user_id = @user", ("user", actor.User.Id));
        }
    }

    private async Task<HttpResponseMessage[]> PostConcurrentlyAsync(Actor actor, string route, IEnumerable<string> types)
    {
        var responses = await Task.WhenAll(types.Select((type, i) =>
            SendAsync(HttpMethod.Post, Routes.Collection(route, actor.ProjectId), actor.Key, Json($$"""{"type":"{{type}}","path":"p{{i}}"}"""))));
        Assert.That(responses.Select(r => r.StatusCode), Is.All.EqualTo(HttpStatusCode.Created));
        return responses;
    }

    private async Task<Guid> PostAsync(Actor actor, string type) =>
        (await ExpectAsync(
            await SendAsync(HttpMethod.Post, Routes.Collection(Routes.Web, actor.ProjectId), actor.Key, Json($$"""{"type":"{{type}}"}""")),
            HttpStatusCode.Created,
            Wire.ReadFolderAsync)).Id;

    private static async Task<HashSet<Guid>> IdsAsync(IEnumerable<HttpResponseMessage> responses)
    {
        var ids = new HashSet<Guid>();
        foreach (var response in responses)
        {
            ids.Add((await Wire.ReadFolderAsync(response)).Id);
        }

        return ids;
    }

    private static Task<long> RowsAsync(Actor actor) =>
        IntegrationDatabase.ScalarAsync<long>("SELECT count(*) FROM persisted_folder WHERE user_id = @user", ("user", actor.User.Id));
}
