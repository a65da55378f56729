using System.Net.Http.Headers;
using System.Web;
using PersistedFolder.Tests.NSwagClient;
using ClientFolderType = PersistedFolder.Tests.NSwagClient.PersistedFolderTypeEnum;

namespace PersistedFolder.Tests.Integration;

/// <summary>
/// The seed flow through a C# client that NSwag generated from the served document
/// (PersistedFolder.Tests.NSwagClient, built from the snapshot that <see cref="OpenApiSnapshotTests"/>
/// keeps equal to GET /api/schema/): it compiles, and works as a user would use it, on both surfaces,
/// errors included as typed <c>ApiException&lt;Error&gt;</c>.
/// </summary>
[TestFixture("web")]
[TestFixture("desktop")]
public sealed class GeneratedCSharpClientTests(string surface) : ApiFixture
{
    private Actor? actor;
    private PersistedFolderClient? folders;

    private Actor Me => actor ?? throw new InvalidOperationException("No actor.");

    private PersistedFolderClient Folders => folders ?? throw new InvalidOperationException("No client.");

    private string Project => Me.ProjectId.ToString(System.Globalization.CultureInfo.InvariantCulture);

    [SetUp]
    public async Task CreateClient()
    {
        actor = await CreateActorAsync();
        Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Me.Key);
        folders = new PersistedFolderClient(Client);
    }

    [TearDown]
    public void ForgetKey() => Client.DefaultRequestHeaders.Authorization = null;

    private Task<PaginatedPersistedFolderList> ListAsync(int? limit = null, int? offset = null) => surface == "web"
        ? Folders.Persisted_folder_listAsync(Project, limit: limit, offset: offset)
        : Folders.Desktop_persisted_folder_listAsync(Project, limit: limit, offset: offset);

    private Task<PersistedFolder.Tests.NSwagClient.PersistedFolder> CreateAsync(ClientFolderType type, string? path = null, string? protocol = null)
    {
        var body = new PersistedFolderRequest { Type = type, Path = path, Protocol = protocol };
        return surface == "web" ? Folders.Persisted_folder_createAsync(Project, body) : Folders.Desktop_persisted_folder_createAsync(Project, body);
    }

    private Task<PersistedFolder.Tests.NSwagClient.PersistedFolder> RetrieveAsync(Guid id) => surface == "web"
        ? Folders.Persisted_folder_retrieveAsync(id, Project)
        : Folders.Desktop_persisted_folder_retrieveAsync(id, Project);

    private Task<PersistedFolder.Tests.NSwagClient.PersistedFolder> PatchAsync(Guid id, PatchedPersistedFolderRequest body, string? ifMatch = null) => surface == "web"
        ? Folders.Persisted_folder_partial_updateAsync(id, Project, if_Match: ifMatch, body: body)
        : Folders.Desktop_persisted_folder_partial_updateAsync(id, Project, if_Match: ifMatch, body: body);

    private Task<PersistedFolder.Tests.NSwagClient.PersistedFolder> PutAsync(Guid id, PersistedFolderRequest body) => surface == "web"
        ? Folders.Persisted_folder_updateAsync(id, Project, body)
        : Folders.Desktop_persisted_folder_updateAsync(id, Project, body);

    private Task DeleteAsync(Guid id) => surface == "web"
        ? Folders.Persisted_folder_destroyAsync(id, Project)
        : Folders.Desktop_persisted_folder_destroyAsync(id, Project);

    [Test]
    public async Task Seed_flow_through_the_generated_client()
    {
        Assert.That((await ListAsync()).Count, Is.Zero, "empty at first");

        var home = await CreateAsync(ClientFolderType.Home, path: "Root/Home");
        var again = await CreateAsync(ClientFolderType.Home, path: "Root/Home again");
        Assert.That((again.Id, again.Path, again.Protocol), Is.EqualTo((home.Id, "Root/Home again", "products://")), "the upsert keeps the id");

        var retrieved = await RetrieveAsync(home.Id);
        Assert.That((retrieved.Type, retrieved.Path), Is.EqualTo((ClientFolderType.Home, "Root/Home again")));

        var patched = await PatchAsync(home.Id, new PatchedPersistedFolderRequest { Path = "Root/Patched" });
        Assert.That((patched.Path, patched.Updated_at > retrieved.Updated_at), Is.EqualTo(("Root/Patched", true)));

        var replaced = await PutAsync(home.Id, new PersistedFolderRequest { Type = ClientFolderType.Pinned, Protocol = "files://" });
        Assert.That((replaced.Type, replaced.Protocol, replaced.Path), Is.EqualTo((ClientFolderType.Pinned, "files://", "Root/Patched")));

        await CreateAsync(ClientFolderType.Home);
        await CreateAsync(ClientFolderType.Custom_products);
        var seen = new List<ClientFolderType>();
        var page = await ListAsync(limit: 2);
        seen.AddRange(page.Results.Select(folder => folder.Type));
        Assert.That(page.Next, Is.Not.Null, "a next page");
        var next = HttpUtility.ParseQueryString(page.Next!.Query);
        page = await ListAsync(int.Parse(next["limit"]!, System.Globalization.CultureInfo.InvariantCulture), int.Parse(next["offset"]!, System.Globalization.CultureInfo.InvariantCulture));
        seen.AddRange(page.Results.Select(folder => folder.Type));
        Assert.That((page.Count, page.Next), Is.EqualTo((3, (Uri?)null)));
        Assert.That(seen, Is.EqualTo(new[] { ClientFolderType.Custom_products, ClientFolderType.Home, ClientFolderType.Pinned }));

        await DeleteAsync(home.Id);

        var missing = Assert.ThrowsAsync<ApiException<Error>>(() => RetrieveAsync(home.Id));
        Assert.That((missing!.StatusCode, missing.Result.Type, missing.Result.Code, missing.Result.Detail, missing.Result.Attr),
            Is.EqualTo((404, ErrorType.Invalid_request, "not_found", "Not found.", (string?)null)));

        var invalid = Assert.ThrowsAsync<ApiException<Error>>(() => CreateAsync(ClientFolderType.Home, protocol: "   "));
        Assert.That((invalid!.StatusCode, invalid.Result.Type, invalid.Result.Code, invalid.Result.Attr),
            Is.EqualTo((400, ErrorType.Validation_error, "blank", "protocol")));
    }

    [Test]
    public async Task Stale_if_match_through_the_generated_client_is_a_typed_412()
    {
        var folder = await CreateAsync(ClientFolderType.Home);
        var route = surface == "web" ? Routes.Web : Routes.Desktop;
        var tag = (await SendAsync(HttpMethod.Get, Routes.Item(route, Me.ProjectId, folder.Id), Me.Key)).Headers.ETag!.ToString();

        await PatchAsync(folder.Id, new PatchedPersistedFolderRequest { Path = "first" }, ifMatch: tag);
        var stale = Assert.ThrowsAsync<ApiException<Error>>(() => PatchAsync(folder.Id, new PatchedPersistedFolderRequest { Path = "second" }, ifMatch: tag));

        Assert.That((stale!.StatusCode, stale.Result.Code), Is.EqualTo((412, "precondition_failed")));
        Assert.That((await RetrieveAsync(folder.Id)).Path, Is.EqualTo("first"));
    }
}
