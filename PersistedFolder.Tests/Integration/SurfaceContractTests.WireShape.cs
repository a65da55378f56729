using System.Text.Json;

namespace PersistedFolder.Tests.Integration;

/// <summary>SPEC §5–§6 and §9 on the wire: exact keys, compact JSON, timestamps, UUIDv7 ids, error bodies, headers.</summary>
public partial class SurfaceContractTests
{
    [Test]
    public async Task Folder_is_compact_json_with_exactly_the_contract_keys()
    {
        var actor = await CreateActorAsync();

        var response = await SendAsync(HttpMethod.Post, Collection(actor), actor.Key, Json("""{"type":"home","protocol":"products://","path":"Root/Home"}"""));
        var text = await response.Content.ReadAsStringAsync();
        var folder = Wire.Parse<FolderBody>(text);

        Assert.That(
            text,
            Is.EqualTo($$"""{"id":"{{folder.Id}}","type":"home","protocol":"products://","path":"Root/Home","created_at":"{{folder.CreatedAt}}","updated_at":"{{folder.UpdatedAt}}"}"""));
    }

    [Test]
    public async Task Page_is_compact_json_with_exactly_count_next_previous_results()
    {
        var actor = await CreateActorAsync();
        var folder = await CreateFolderAsync(actor, "pinned", "p://", "Répertoire/🚀");

        var response = await SendAsync(HttpMethod.Get, Collection(actor), actor.Key);
        var text = await response.Content.ReadAsStringAsync();

        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
        Assert.That(
            text,
            Is.EqualTo($$"""{"count":1,"next":null,"previous":null,"results":[{"id":"{{folder.Id}}","type":"pinned","protocol":"p://","path":"Répertoire/🚀","created_at":"{{folder.CreatedAt}}","updated_at":"{{folder.UpdatedAt}}"}]}"""));
    }

    [Test]
    public async Task Timestamps_are_utc_with_six_fractional_digits_and_z()
    {
        var actor = await CreateActorAsync();
        var before = DateTime.UtcNow;

        var folders = new List<FolderBody>();
        foreach (var type in TypesInListOrder)
        {
            folders.Add(await CreateFolderAsync(actor, type));
        }

        var stamps = folders.SelectMany(f => new[] { f.CreatedAt, f.UpdatedAt }).ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(stamps, Is.All.Matches<string>(Wire.IsTimestamp));
            Assert.That(stamps.Select(s => DateTime.Parse(s, null, System.Globalization.DateTimeStyles.RoundtripKind)), Is.All.InRange(before.AddMinutes(-1), DateTime.UtcNow.AddMinutes(1)));
            Assert.That(stamps.Any(s => s[23..26] != "000"), Is.True, $"microseconds are kept: {string.Join(", ", stamps)}");
        }
    }

    [Test]
    public async Task Ids_are_time_ordered_uuid_version_7()
    {
        var actor = await CreateActorAsync();

        var ids = new List<Guid>();
        foreach (var type in new[] { "pinned", "home", "custom_products" })
        {
            ids.Add((await CreateFolderAsync(actor, type)).Id);
            await Task.Delay(5);
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ids.Select(id => id.Version), Is.All.EqualTo(7));
            Assert.That(ids.Select(id => id.Variant >> 2), Is.All.EqualTo(0b10), "RFC 9562 variant");
            Assert.That(ids.Select(id => id.ToString()), Is.Ordered.Using((IComparer<string>)StringComparer.Ordinal));
            var millis = long.Parse(ids[0].ToString("N")[..12], System.Globalization.NumberStyles.HexNumber, null);
            Assert.That(DateTimeOffset.FromUnixTimeMilliseconds(millis), Is.EqualTo(DateTimeOffset.UtcNow).Within(TimeSpan.FromMinutes(5)));
        }
    }

    [Test]
    public async Task Every_error_is_a_compact_json_body_of_type_code_detail_attr()
    {
        var responses = await SendOneOfEachErrorAsync();

        foreach (var (label, response) in responses)
        {
            var text = await response.Content.ReadAsStringAsync();
            using (Assert.EnterMultipleScope())
            {
                Assert.That((int)response.StatusCode, Is.InRange(400, 499), label);
                Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"), label);
                Assert.That(Wire.KeysOf(text), Is.EqualTo(Wire.ErrorKeys), label);
                Assert.That(text, Is.EqualTo(JsonSerializer.Serialize(JsonDocument.Parse(text).RootElement, CompactJson)), label);
            }
        }
    }

    [Test]
    public async Task Every_error_carries_nosniff()
    {
        var responses = await SendOneOfEachErrorAsync();

        var without = responses.Where(r => Wire.Header(r.Response, "X-Content-Type-Options") != "nosniff").Select(r => r.Label);

        Assert.That(without, Is.Empty, "errors answered without X-Content-Type-Options: nosniff");
    }

    [Test]
    public async Task Every_error_of_a_folder_route_reports_api_supported_versions()
    {
        var responses = await SendOneOfEachErrorAsync();

        var without = responses
            .Where(r => !r.Label.Contains("endpoint", StringComparison.Ordinal) && !r.Label.Contains("api-version", StringComparison.Ordinal))
            .Where(r => Wire.Header(r.Response, "api-supported-versions") is null)
            .Select(r => r.Label);

        Assert.That(without, Is.Empty, "errors answered without api-supported-versions");
    }

    [Test]
    public async Task Every_answer_carries_nosniff_and_api_supported_versions()
    {
        var actor = await CreateActorAsync();
        var folder = await CreateFolderAsync(actor, "home");

        HttpResponseMessage[] responses =
        [
            await SendAsync(HttpMethod.Get, Collection(actor), actor.Key),
            await SendAsync(HttpMethod.Post, Collection(actor), actor.Key, Json("""{"type":"pinned"}""")),
            await SendAsync(HttpMethod.Get, Item(actor, folder.Id), actor.Key),
            await SendAsync(HttpMethod.Patch, Item(actor, folder.Id), actor.Key, Json("{}")),
            await SendAsync(HttpMethod.Options, Item(actor, folder.Id), actor.Key),
            await SendAsync(HttpMethod.Delete, Item(actor, folder.Id), actor.Key),
        ];

        foreach (var response in responses)
        {
            using (Assert.EnterMultipleScope())
            {
                Assert.That((int)response.StatusCode, Is.InRange(200, 299));
                Assert.That(Wire.Header(response, "X-Content-Type-Options"), Is.EqualTo("nosniff"));
                Assert.That(Wire.Header(response, "api-supported-versions")?.Split(',').Select(v => v.Trim()), Does.Contain("1.0"));
            }
        }
    }

    private async Task<List<(string Label, HttpResponseMessage Response)>> SendOneOfEachErrorAsync()
    {
        var actor = await CreateActorAsync();
        var folder = await CreateFolderAsync(actor, "home");
        await CreateFolderAsync(actor, "pinned");
        var reader = (await CreateKeyAsync(actor.User, ReadOnly)).Value;
        var tooLarge = new ByteArrayContent(new byte[(1024 * 1024) + 1]);
        tooLarge.Headers.ContentType = new("application/json");
        var plain = new StringContent("x");
        plain.Headers.ContentType = new("text/plain");

        return
        [
            ("401 no credentials", await SendAsync(HttpMethod.Get, Collection(actor))),
            ("401 unknown key", await SendAsync(HttpMethod.Get, Collection(actor), actor.Key + "x")),
            ("403 missing scope", await SendAsync(HttpMethod.Post, Collection(actor), reader, Json("""{"type":"pinned"}"""))),
            ("404 project", await SendAsync(HttpMethod.Get, Routes.Collection(route, "nope"), actor.Key)),
            ("404 folder", await SendAsync(HttpMethod.Get, Item(actor, Guid.CreateVersion7()), actor.Key)),
            ("404 endpoint", await SendAsync(HttpMethod.Get, Collection(actor) + "nothing/here/", actor.Key)),
            ("405", await SendAsync(HttpMethod.Delete, Collection(actor), actor.Key)),
            ("400 required on POST", await SendAsync(HttpMethod.Post, Collection(actor), actor.Key, Json("{}"))),
            ("400 blank on PATCH", await SendAsync(HttpMethod.Patch, Item(actor, folder.Id), actor.Key, Json("""{"protocol":""}"""))),
            ("400 unique on PATCH", await SendAsync(HttpMethod.Patch, Item(actor, folder.Id), actor.Key, Json("""{"type":"pinned"}"""))),
            ("400 not a dictionary", await SendAsync(HttpMethod.Post, Collection(actor), actor.Key, Json("[]"))),
            ("400 parse error", await SendAsync(HttpMethod.Post, Collection(actor), actor.Key, Json("{"))),
            ("400 unsupported api-version", await SendAsync(HttpMethod.Get, Collection(actor) + "?api-version=2.0", actor.Key)),
            ("415", await SendAsync(HttpMethod.Post, Collection(actor), actor.Key, plain)),
            ("406", await SendAsync(HttpMethod.Get, Collection(actor), null, request =>
            {
                request.Headers.Authorization = new("Bearer", actor.Key);
                request.Headers.Add("Accept", "text/html");
            })),
            ("413", await SendAsync(HttpMethod.Post, Collection(actor), actor.Key, tooLarge)),
        ];
    }

    private static readonly JsonSerializerOptions CompactJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
