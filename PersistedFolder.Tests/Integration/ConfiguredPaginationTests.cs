using System.Net;

namespace PersistedFolder.Tests.Integration;

/// <summary>SPEC §7: <c>max_limit</c> and the default limit come from <c>PersistedFolder:Pagination</c>.</summary>
public sealed class ConfiguredPaginationTests : ApiFixture
{
    protected override PersistedFolderApiFactory CreateFactory() => new(new Dictionary<string, string?>
    {
        ["PersistedFolder:Pagination:DefaultLimit"] = "1",
        ["PersistedFolder:Pagination:MaxLimit"] = "2",
    });

    [Test]
    public async Task Limit_above_the_configured_max_limit_is_capped()
    {
        var actor = await CreateActorWithThreeFoldersAsync();

        var page = await ListAsync(actor, "?limit=50");

        Assert.That(string.Join(',', page.Results.Select(f => f.Type)), Is.EqualTo("custom_products,home"));
        Assert.That(page.Next, Is.EqualTo($"http://localhost{Routes.Collection(Routes.Web, actor.ProjectId)}?limit=2&offset=2"));
    }

    [Test]
    public async Task Missing_limit_uses_the_configured_default()
    {
        var actor = await CreateActorWithThreeFoldersAsync();

        var page = await ListAsync(actor, string.Empty);

        Assert.That(string.Join(',', page.Results.Select(f => f.Type)), Is.EqualTo("custom_products"));
        Assert.That(page.Next, Is.EqualTo($"http://localhost{Routes.Collection(Routes.Web, actor.ProjectId)}?limit=1&offset=1"));
    }

    private async Task<Actor> CreateActorWithThreeFoldersAsync()
    {
        var actor = await CreateActorAsync();
        foreach (var type in new[] { "pinned", "home", "custom_products" })
        {
            var created = await SendAsync(HttpMethod.Post, Routes.Collection(Routes.Web, actor.ProjectId), actor.Key, Json($$"""{"type":"{{type}}"}"""));
            Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        }

        return actor;
    }

    private async Task<PageBody> ListAsync(Actor actor, string query) =>
        await ExpectAsync(await SendAsync(HttpMethod.Get, Routes.Collection(Routes.Web, actor.ProjectId) + query, actor.Key), HttpStatusCode.OK, Wire.ReadPageAsync);
}
