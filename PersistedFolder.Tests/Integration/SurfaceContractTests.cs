using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Text.Json;

namespace PersistedFolder.Tests.Integration;

/// <summary>
/// The contract of SPEC §3–§7, written once and run for every surface route: <c>web</c>,
/// <c>desktop</c>, and <c>environments</c> (the deprecated alias of web). The parts of this
/// class are split by section; helpers live here. Not sealed: <c>Hosting/HostedSurfaceContractTests</c>
/// runs the same contract against a host application that embeds the API.
/// </summary>
[TestFixture(Routes.Web)]
[TestFixture(Routes.Desktop)]
[TestFixture(Routes.Environments)]
[SuppressMessage("Structure", "NUnit1034:Base TestFixtures should be abstract", Justification = "It runs as itself against the service and again, through its subclass, inside a host.")]
public partial class SurfaceContractTests(string route) : ApiFixture
{
    /// <summary>A route of the surface that must not see this one's folders.</summary>
    private string OtherRoute => Routes.OtherSurface(route);

    private string StoredSurface => Routes.StoredSurface(route);

    /// <summary>The standalone service answers every unknown path under <c>/api/</c>; embedded in a host,
    /// only those under the folder routes' prefixes.</summary>
    protected virtual bool OwnsAllOfApi => true;

    private bool IsWeb => StoredSurface == "web";

    private string Collection(Actor actor, bool slash = true) => Routes.Collection(route, actor.ProjectId, slash);

    private string Item(Actor actor, object id, bool slash = true) => Routes.Item(route, actor.ProjectId, id, slash);

    private static string FolderJson(string? type, string? protocol = null, string? path = null)
    {
        var fields = new Dictionary<string, string?>();
        if (type is not null)
        {
            fields["type"] = type;
        }

        if (protocol is not null)
        {
            fields["protocol"] = protocol;
        }

        if (path is not null)
        {
            fields["path"] = path;
        }

        return JsonSerializer.Serialize(fields);
    }

    private async Task<FolderBody> CreateFolderAsync(Actor actor, string type, string? protocol = null, string? path = null, string? onRoute = null)
    {
        var response = await SendAsync(HttpMethod.Post, Routes.Collection(onRoute ?? route, actor.ProjectId), actor.Key, Json(FolderJson(type, protocol, path)));
        return await ExpectAsync(response, HttpStatusCode.Created, Wire.ReadFolderAsync);
    }

    private async Task<PageBody> ListAsync(Actor actor, string? onRoute = null, string query = "")
    {
        var response = await SendAsync(HttpMethod.Get, Routes.Collection(onRoute ?? route, actor.ProjectId) + query, actor.Key);
        return await ExpectAsync(response, HttpStatusCode.OK, Wire.ReadPageAsync);
    }

    private async Task<FolderBody> RetrieveAsync(Actor actor, Guid id)
    {
        var response = await SendAsync(HttpMethod.Get, Item(actor, id), actor.Key);
        return await ExpectAsync(response, HttpStatusCode.OK, Wire.ReadFolderAsync);
    }

    private static Task<long> CountRowsAsync(Actor actor) =>
        IntegrationDatabase.ScalarAsync<long>(
            "SELECT count(*) FROM persisted_folder WHERE user_id = @user", ("user", actor.User.Id));

    private static Task<string?> StoredSurfaceOfAsync(Guid id) =>
        IntegrationDatabase.ScalarAsync<string?>("SELECT surface FROM persisted_folder WHERE id = @id", ("id", id));

    /// <summary>A row written before surfaces existed: surface NULL, which means web.</summary>
    private static async Task<Guid> PlantLegacyFolderAsync(Actor actor, string type, string protocol = "legacy://", string path = "Legacy")
    {
        var id = Guid.CreateVersion7();
        await IntegrationDatabase.ExecuteAsync(
            """
            INSERT INTO persisted_folder (id, team_id, user_id, type, protocol, path, surface, created_at, updated_at)
            VALUES (@id, @team, @user, @type, @protocol, @path, NULL, '2020-01-02T03:04:05.123456Z', '2020-01-02T03:04:05.123456Z')
            """,
            ("id", id), ("team", actor.ProjectId), ("user", actor.User.Id), ("type", type), ("protocol", protocol), ("path", path));
        return id;
    }
}
