using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace PersistedFolder.Tests.Integration.Hardening;

/// <summary>
/// Issue 3's fuzz battery: several hundred generated hostile requests (deterministic seed) on every
/// route and method, with and without valid keys. None may get a 5xx, every error is in SPEC §6's
/// shape, and the folder table stays byte-for-byte the same: the generator only makes requests
/// that must not write (a write-capable key only ever comes with a body the contract refuses, and
/// never with a DELETE of an existing folder).
/// </summary>
public sealed class FuzzTests : ApiFixture
{
    private const int Seed = 20260523;
    private const int MinimumRequests = 500;
    private const string Boundary = "fuzz-boundary-7f3a";

    private static readonly HttpMethod[] Methods =
    [
        HttpMethod.Get, HttpMethod.Head, HttpMethod.Options, HttpMethod.Post, HttpMethod.Put, HttpMethod.Patch, HttpMethod.Delete,
        HttpMethod.Trace, new("PROPFIND"), new("BREW"),
    ];

    private static readonly string[] SurfaceRoutes = [Routes.Web, Routes.Desktop, Routes.Environments];

    private static readonly JsonSerializerOptions RawUnicode = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Text no validator may trip over: emoji, right-to-left, combining marks, zero-width, SQL.</summary>
    private static readonly string[] Unicode =
    [
        "🏠📁🗂️👩‍👩‍👧‍👦", "\u202Eemoh\u202C", "مجلد/الرئيسية", "תיקייה ראשית", "Z͑ͫ̓ͪ̂ͫ̽͏̴̙̤̞͉͚̯̞̠͍A̴̵̜̰͔ͫ͗͢L̠ͨͧͩ͘G̴̻͈͍͔̹̑͗̎̅͛́Ǫ̵̹̻̝̳͂̌̌͘",
        "\u200B\u200C\u200D\uFEFF", "ｆｕｌｌｗｉｄｔｈ", "İıŞğ ß ﬁ", "\uFFFD\uFFFF\uE000", "\\/\"'`;--", "' OR 1=1 --",
        "Robert'); DROP TABLE persisted_folder;--", "%00%2e%2e/%2F", "\t\r\n", "\u0001\u001f\u007f", new string('a', 5000), "$(rm -rf /)", "{{7*7}}",
    ];

    /// <summary>JSON values that are never a valid <c>type</c>.</summary>
    private static readonly string[] InvalidTypes =
    [
        "\"folder\"", "\"\"", "\"HOME\"", "\"Home\"", "\" home\"", "\"home \"", "\"home\\u0000\"", "\"ｈｏｍｅ\"", "\"🏠\"", "\"\\u202Ehome\"",
        "\"home\\u200b\"", "\"custom-products\"", "\"CUSTOM_PRODUCTS\"", "\"pinned\\n\"", "\"h o m e\"", "\"hom\"", "\"homes\"",
        "\"home;DROP TABLE persisted_folder\"", "\"' OR '1'='1\"", "1", "0", "-1", "1.5", "1e400", "-0", "true", "false", "null", "[]",
        "[\"home\"]", "{}", "{\"home\":true}", "\"\\u0000\"", "\"\\ud800\"", "\"\\udfff\\ud800\"", "\"home\\ud83d\"",
    ];

    /// <summary>JSON values that are never a valid <c>protocol</c> (after a valid type).</summary>
    private static readonly string[] InvalidProtocols =
    [
        "true", "false", "[]", "{}", "null", "\"\"", "\"   \"", "\"\\t\\n \"", "\"" + new string('a', 65) + "\"",
        "\"" + string.Concat(Enumerable.Repeat("🏠", 65)) + "\"", "\"p\\u0000://\"", "[\"products://\"]", "{\"a\":1}", "\"\\ud800\"",
    ];

    /// <summary>JSON values that are never a valid <c>path</c> (after a valid type).</summary>
    private static readonly string[] InvalidPaths =
    [
        "true", "[]", "{}", "null", "\"a\\u0000b\"", "[1,2,3]", "{\"nested\":{\"deep\":[true]}}", "\"\\udfff\"", "\"\\ud83d\\u0041\"",
        "\"\\ude00\\ud83d\"",
    ];

    private enum Credential
    {
        None,
        Bearer,
        BearerPadded,
        BearerReadOnly,
        BearerInvalid,
        BearerLowercase,
        BearerEmpty,
        BearerHuge,
        BearerUnicode,
        Basic,
        Query,
        QueryInvalid,
        QueryEmpty,
        Body,
        BodyInvalid,
    }

    /// <summary>Which writes a body is certain to be refused for.</summary>
    private enum Refused
    {
        /// <summary>POST, PUT and PATCH: malformed, unsupported, too large, or a broken field.</summary>
        EveryWrite,

        /// <summary>POST and PUT (no <c>type</c>); a PATCH could accept it.</summary>
        PostAndPut,

        /// <summary>Possibly valid: only ever sent without a write-capable key.</summary>
        Nothing,
    }

    // Some 1300 requests from one key: the per-key limits are lifted, the limiter stays in the pipeline.
    protected override PersistedFolderApiFactory CreateFactory() => new(new Dictionary<string, string?>
    {
        ["PersistedFolder:RateLimits:PerMinute"] = "1000000",
        ["PersistedFolder:RateLimits:PerHour"] = "1000000",
    });

    [Test]
    public async Task Malformed_requests_never_get_a_5xx_always_get_the_error_shape_and_never_write()
    {
        var world = await BuildWorldAsync();
        var cases = Generate(world);
        var statuses = new List<int>();
        var violations = new List<string>();

        var before = await HardeningChecks.FolderTableChecksumAsync();
        var current = before;
        foreach (var fuzz in cases)
        {
            using var request = fuzz.Build();
            using var response = await Client.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            statuses.Add((int)response.StatusCode);
            var what = HardeningChecks.Describe(fuzz.Method, fuzz.Url, fuzz.What);
            violations.AddRange(HardeningChecks.Violations(fuzz.Method, response, body).Select(v => $"{what} -> {(int)response.StatusCode}: {v}"));
            if (fuzz.MustBeRefused && HardeningChecks.IsSuccess(response.StatusCode))
            {
                violations.Add($"{what} -> {(int)response.StatusCode}: a write with a refused body succeeded: {HardeningChecks.Shorten(body)}");
            }

            if (fuzz.Method != HttpMethod.Get && fuzz.Method != HttpMethod.Head && fuzz.Method != HttpMethod.Options)
            {
                var now = await HardeningChecks.FolderTableChecksumAsync();
                if (now != current)
                {
                    violations.Add($"{what} -> {(int)response.StatusCode}: the folder table changed");
                    current = now;
                }
            }
        }

        var after = await HardeningChecks.FolderTableChecksumAsync();
        await TestContext.Out.WriteLineAsync($"fuzz: seed {Seed}, {cases.Count} requests sent, status histogram {HardeningChecks.Histogram(statuses)}");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(cases, Has.Count.GreaterThanOrEqualTo(MinimumRequests));
            Assert.That(violations, Is.Empty, $"{violations.Count} violations, first ones:\n" + string.Join("\n", violations.Take(40)));
            Assert.That(after, Is.EqualTo(before), "persisted_folder changed");
            Assert.That(statuses.Distinct().Count(), Is.GreaterThanOrEqualTo(8), "the generator reaches many different answers");
        }
    }

    /// <summary>
    /// SPEC §3: any other path under <c>/api/</c> is 404 <c>Endpoint not found.</c>, whatever the
    /// key. PostHog's URLs are case-sensitive, so other spellings of a route are other paths.
    /// </summary>
    [TestCase("/api/")]
    [TestCase("/api/projects/")]
    [TestCase("/api/projects/{p}/")]
    [TestCase("/api/projects/{p}/persisted_folders/")]
    [TestCase("/api/projects/{p}/persisted_folder/{id}/extra/")]
    [TestCase("/api/projects/{p}/persisted_folder//")]
    [TestCase("/api/projects//persisted_folder/")]
    [TestCase("/api//projects/{p}/persisted_folder/")]
    [TestCase("/api/environments/{p}/desktop_persisted_folder/")]
    [TestCase("/api/projects/{p}/persisted_folder;jsessionid=1/")]
    [TestCase("/api/projects/{p}/persisted_folder/{id}//")]
    [TestCase("/api/projects/{p}/PERSISTED_FOLDER/")]
    [TestCase("/api/Projects/{p}/persisted_folder/")]
    [TestCase("/API/projects/{p}/persisted_folder/")]
    [TestCase("/api/projects/{p}/Persisted_Folder/{id}/")]
    [TestCase("/api/projects/{p}/Desktop_Persisted_Folder/")]
    [TestCase("/api/Environments/{p}/persisted_folder/")]
    public async Task Path_beside_the_routes_is_404_endpoint_not_found(string template)
    {
        var actor = await CreateActorAsync();
        var folder = await ExpectAsync(
            await SendAsync(HttpMethod.Post, Routes.Collection(Routes.Web, actor.ProjectId), actor.Key, Json("""{"type":"home"}""")), HttpStatusCode.Created, Wire.ReadFolderAsync);
        var path = template.Replace("{p}", actor.ProjectId.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{id}", folder.Id.ToString(), StringComparison.Ordinal);

        await AssertNotFoundAsync(await SendAsync(HttpMethod.Get, path, actor.Key), "Endpoint not found.");
    }

    private async Task<World> BuildWorldAsync()
    {
        var owner = await CreateActorAsync();
        await Admin.SetCurrentProjectAsync(owner.User.Email, owner.ProjectId, CancellationToken.None);
        var readOnly = await CreateKeyAsync(owner.User, ReadOnly);
        var neighbour = await CreateActorAsync(project: owner.Project);
        var outsider = await CreateProjectAsync();

        async Task<Guid> PostAsync(Actor actor, string route, string json) =>
            (await ExpectAsync(await SendAsync(HttpMethod.Post, Routes.Collection(route, actor.ProjectId), actor.Key, Json(json)), HttpStatusCode.Created, Wire.ReadFolderAsync)).Id;

        var webHome = await PostAsync(owner, Routes.Web, """{"type":"home","path":"Root/Home 🏠"}""");
        var desktopPinned = await PostAsync(owner, Routes.Desktop, """{"type":"pinned","protocol":"desk://","path":"Root/Pinned"}""");
        var neighbourHome = await PostAsync(neighbour, Routes.Web, """{"type":"home","path":"Neighbour"}""");
        var legacy = Guid.CreateVersion7();
        await IntegrationDatabase.ExecuteAsync(
            "INSERT INTO persisted_folder (id, team_id, user_id, type, path, surface) VALUES (@id, @team, @user, 'custom_products', 'Legacy', NULL)",
            ("id", legacy), ("team", owner.ProjectId), ("user", owner.User.Id));

        return new World(
            owner, readOnly.Value, neighbour, outsider.Id, owner.ProjectId + 1_000_000, webHome, desktopPinned, legacy, neighbourHome,
            "phx_" + new string('Z', 43));
    }

    private static List<FuzzCase> Generate(World world)
    {
        var random = new Random(Seed);
        var bodies = Bodies(random);
        var cases = new List<FuzzCase>();

        // Every route, target, method and way of presenting a key, with the rest drawn at random.
        foreach (var route in SurfaceRoutes)
        {
            foreach (var detail in new[] { false, true })
            {
                foreach (var method in Methods)
                {
                    foreach (var credential in Enum.GetValues<Credential>())
                    {
                        cases.Add(Draw(random, world, bodies, route, detail, method, credential, body: null));
                    }
                }
            }
        }

        // Every body at least twice where it reaches validation: a create and a partial update with a valid key.
        foreach (var body in bodies.Where(b => b.Refused != Refused.Nothing))
        {
            cases.Add(Draw(random, world, bodies, SurfaceRoutes[random.Next(3)], detail: false, HttpMethod.Post, Credential.Bearer, body, own: true));
            if (body.Refused == Refused.EveryWrite)
            {
                cases.Add(Draw(random, world, bodies, SurfaceRoutes[random.Next(3)], detail: true, HttpMethod.Patch, Credential.Bearer, body, own: true));
            }
        }

        // Paths next to the routes.
        var p = world.Owner.ProjectId;
        string[] paths =
        [
            "/api/", "/api/projects/", $"/api/projects/{p}/", $"/api/projects/{p}/persisted_folders/", $"/api/projects/{p}/persisted_folder/{world.WebHome}/extra/",
            $"/api/projects/{p}/persisted_folder//", "/api/projects//persisted_folder/", $"/api/environments/{p}/desktop_persisted_folder/",
            $"/api/projects/{p}/persisted_folder/%2e%2e/%2e%2e/", $"/api/projects/{p}/PERSISTED_FOLDER/", $"/api/projects/{p}/persisted_folder/{world.WebHome}/%09",
            $"/api/projects/{p}/persisted_folder;jsessionid=1/", "/api/schema/../projects/1/persisted_folder/", $"/api//projects/{p}/persisted_folder/",
        ];
        foreach (var path in paths)
        {
            foreach (var method in new[] { HttpMethod.Get, HttpMethod.Post, HttpMethod.Delete })
            {
                var body = Pick(random, bodies.Where(b => b.Refused == Refused.EveryWrite).ToList());
                cases.Add(new FuzzCase(method, path, $"path; body {body.Name}", method == HttpMethod.Post, ToKey(Credential.Bearer, world), Credential.Bearer, () => body.Create(null)));
            }
        }

        return cases;
    }

    private static FuzzCase Draw(
        Random random, World world, IReadOnlyList<Body> bodies, string route, bool detail, HttpMethod method, Credential credential, Body? body, bool own = false)
    {
        var writes = credential is Credential.Bearer or Credential.BearerPadded or Credential.Query or Credential.Body;
        var project = own ? world.Owner.ProjectId.ToString(System.Globalization.CultureInfo.InvariantCulture) : DrawProject(random, world);
        string url;
        string idName = string.Empty;
        if (detail)
        {
            var ids = Ids(world, route);
            // A write-capable key never deletes a folder that exists.
            var candidates = own ? ids.Where(i => i.Own).ToList()
                : writes && method == HttpMethod.Delete ? ids.Where(i => !i.Own).ToList()
                : ids;
            var id = Pick(random, candidates);
            idName = id.Name;
            url = Routes.Collection(route, project) + id.Segment + (random.Next(4) == 0 ? string.Empty : "/");
        }
        else
        {
            url = Routes.Collection(route, project, slash: random.Next(4) != 0);
        }

        var sendsBody = method == HttpMethod.Post || method == HttpMethod.Put || method == HttpMethod.Patch
            ? random.Next(10) != 0
            : credential is Credential.Body or Credential.BodyInvalid || random.Next(3) == 0;
        if (body is null && sendsBody)
        {
            var allowed = !writes ? bodies
                : method == HttpMethod.Patch ? bodies.Where(b => b.Refused == Refused.EveryWrite).ToList()
                : bodies.Where(b => b.Refused != Refused.Nothing).ToList();
            body = Pick(random, allowed);
        }

        // A PATCH needs no body: without one it would update. A write-capable PATCH always sends one.
        if (body is null && writes && method == HttpMethod.Patch)
        {
            body = Pick(random, bodies.Where(b => b.Refused == Refused.EveryWrite).ToList());
        }

        if (!own && random.Next(3) == 0)
        {
            url += Pick(random, Queries);
        }

        var mustBeRefused = writes && body is not null && (method == HttpMethod.Post || method == HttpMethod.Put || method == HttpMethod.Patch)
            && (body.Refused == Refused.EveryWrite || method != HttpMethod.Patch);
        var accept = !own && random.Next(6) == 0 ? Pick(random, Accepts) : null;
        var version = !own && random.Next(10) == 0 ? Pick(random, Versions) : null;
        var key = ToKey(credential, world);
        var chosen = body;
        var what = $"{credential}; project {project}; {(detail ? $"id {idName}; " : string.Empty)}body {chosen?.Name ?? "none"}"
            + (accept is null ? string.Empty : $"; Accept {accept}") + (version is null ? string.Empty : $"; X-Api-Version {version}");

        if (credential is Credential.Query or Credential.QueryInvalid or Credential.QueryEmpty)
        {
            url += (url.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "personal_api_key=" + Uri.EscapeDataString(key ?? string.Empty);
        }

        var bodyKey = credential is Credential.Body or Credential.BodyInvalid ? key : null;
        return new FuzzCase(method, url, what, mustBeRefused, key, credential, () => chosen?.Create(bodyKey), accept, version);
    }

    private static string DrawProject(Random random, World world)
    {
        var own = world.Owner.ProjectId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return random.Next(12) switch
        {
            < 6 => own,
            6 or 7 => "@current",
            8 => world.OutsiderProject.ToString(System.Globalization.CultureInfo.InvariantCulture),
            9 => world.UnknownProject.ToString(System.Globalization.CultureInfo.InvariantCulture),
            _ => Pick(random,
            [
                "abc", "-1", "1.5", "99999999999999999999999", "0x10", "%20" + own, own + "%20", "%EF%BC%91", "%27%20OR%201%3D1%20--",
                "@CURRENT", "@current%09", "0", own + "abc", "%2B" + own, "0" + own, "%F0%9F%8F%A0", "-0", own + ".0", "1e3",
            ]),
        };
    }

    /// <summary>Detail ids (a NUL in the path is refused by the server before the application, in
    /// the in-memory server as in Kestrel, so it is not sent): the owner's folder of this surface (as written and in other spellings
    /// Guid parsing accepts), other people's and other surfaces' folders, unknown and malformed ids.</summary>
    private static List<Id> Ids(World world, string route)
    {
        var own = route == Routes.Desktop ? world.DesktopPinned : world.WebHome;
        var text = own.ToString();
        return
        [
            new("own", text, true),
            new("own legacy", route == Routes.Desktop ? text : world.LegacyCustom.ToString(), true),
            new("own upper", text.ToUpperInvariant(), true),
            new("own braces", Uri.EscapeDataString("{" + text + "}"), true),
            new("own N", own.ToString("N"), true),
            new("own parens", "(" + text + ")", true),
            new("own padded", "%20" + text + "%20", true),
            new("other surface", (route == Routes.Desktop ? world.WebHome : world.DesktopPinned).ToString(), false),
            new("neighbour", world.NeighbourHome.ToString(), false),
            new("unknown v4", "3f2504e0-4f89-41d3-9a0c-0305e82c3301", false),
            new("nil", Guid.Empty.ToString(), false),
            new("not-a-uuid", "not-a-uuid", false),
            new("1", "1", false),
            new("sql", Uri.EscapeDataString("' OR 1=1 --"), false),
            new("bad hex", "00000000-0000-0000-0000-00000000000g", false),
            new("long", new string('a', 300), false),
            new("truncated", text[..35], false),
            new("extended", text + "0", false),
            new("emoji", "%F0%9F%8F%A0", false),
            new("rtl", Uri.EscapeDataString("\u202E" + text), false),
            new("dot dot", "%2e%2e", false),
            new("lone surrogate", "%ED%A0%80", false),
        ];
    }

    private static readonly string[] Queries =
    [
        "?limit=abc", "?limit=-1", "?limit=0", "?limit=99999999999999999999", "?limit=1.5", "?limit=&offset=", "?offset=-5", "?offset=abc",
        "?offset=99999999999999", "?limit=1&limit=2&offset=1&offset=x", "?limit=%00", "?limit=%F0%9F%8F%A0", "?api-version=2.0", "?api-version=abc",
        "?api-version=1.0&api-version=2.0", "?x=" + new string('q', 8000), "?%zz=1", "?limit=1e3", "?limit=%201", "?offset=1&limit=1",
        "?limit=2147483648", "?offset=-9223372036854775809", "?limit[]=1", "?=&&==", "?limit=%ED%A0%80",
    ];

    private static readonly string[] Accepts =
    [
        "text/html", "application/xml", "*/*", "application/json;q=0", "garbage;;", "application/*", "text/*", "application/json; indent=4", "",
    ];

    private static readonly string[] Versions = ["2.0", "garbage", "0.9", "1.0", "1", "", "1.0-beta"];

    private static string? ToKey(Credential credential, World world) => credential switch
    {
        Credential.Bearer or Credential.BearerPadded or Credential.BearerLowercase or Credential.Query or Credential.Body or Credential.Basic => world.Owner.Key,
        Credential.BearerReadOnly => world.ReadKey,
        Credential.BearerInvalid or Credential.QueryInvalid or Credential.BodyInvalid => world.InvalidKey,
        _ => null,
    };

    private static List<Body> Bodies(Random random)
    {
        string U() => JsonSerializer.Serialize(Pick(random, Unicode), RawUnicode);
        var bodies = new List<Body>();
        void JsonBody(string name, Refused refused, string json, string contentType = "application/json") =>
            bodies.Add(new Body(name, refused, key => Raw(Encoding.UTF8.GetBytes(WithJsonKey(json, key)), contentType)));

        // Wrong and unicode types, with unicode elsewhere.
        foreach (var type in InvalidTypes)
        {
            JsonBody($"json type {type}", Refused.EveryWrite, $$"""{"type":{{type}},"protocol":{{U()}},"path":{{U()}}}""");
        }

        foreach (var protocol in InvalidProtocols)
        {
            JsonBody($"json protocol {HardeningChecks.Shorten(protocol, 20)}", Refused.EveryWrite, $$"""{"type":"home","protocol":{{protocol}},"path":{{U()}}}""");
        }

        foreach (var path in InvalidPaths)
        {
            JsonBody($"json path {path}", Refused.EveryWrite, $$"""{"type":"pinned","protocol":{{U()}},"path":{{path}}}""");
        }

        // Duplicate keys: the last one counts, and it is wrong.
        JsonBody("json duplicate type", Refused.EveryWrite, """{"type":"home","type":"folder"}""");
        JsonBody("json duplicate path", Refused.EveryWrite, """{"type":"home","path":"ok","path":null}""");
        JsonBody("json duplicate protocol", Refused.EveryWrite, """{"protocol":"x://","type":"pinned","protocol":""}""");

        // Not a dictionary, or not JSON.
        string[] malformed =
        [
            "[]", """[{"type":"home"}]""", "\"home\"", "42", "true", "null", "{", """{"type":"home" """, """{"type":"home",}""", "{'type':'home'}",
            """{type:"home"}""", """{"type":"home"} trailing""", """{"type":"home"}{"type":"pinned"}""", "// comment\n{\"type\":\"home\"}",
            """{"type":NaN}""", """{"type":Infinity}""", """{"type":"home","path":"a""" + "\u0000" + "b\"}", "{\"type\":\"home\",\"path\":\"\t\"}",
            """{"\ud800":"x","type":"home"}""", "\u00A0{\"type\":\"home\"}", """{"type":"home","path":"\x"}""", """{"type":"home","path":"\u12"}""",
            "{}}", "]", ",", "\"\\ud800\"",
        ];
        foreach (var text in malformed)
        {
            JsonBody($"json malformed {HardeningChecks.Shorten(text, 24)}", Refused.EveryWrite, text);
        }

        bodies.Add(new Body("json bom folder", Refused.EveryWrite, key => Raw([0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(WithJsonKey("""{"type":"folder"}""", key))], "application/json")));
        bodies.Add(new Body("json invalid utf-8 path", Refused.EveryWrite, _ => Raw([.. "{\"type\":\"home\",\"path\":\""u8, 0xFF, 0xFE, .. "\"}"u8], "application/json")));
        bodies.Add(new Body("json invalid utf-8 type", Refused.EveryWrite, _ => Raw([.. "{\"type\":\""u8, 0xC3, 0x28, .. "\"}"u8], "application/json")));
        bodies.Add(new Body("json overlong utf-8", Refused.EveryWrite, _ => Raw([.. "{\"type\":\"home\",\"path\":\""u8, 0xC0, 0xAF, .. "\"}"u8], "application/json")));
        bodies.Add(new Body("json utf-16", Refused.EveryWrite, _ => Raw(Encoding.Unicode.GetBytes("""{"type":"folder"}"""), "application/json; charset=utf-16")));

        // Huge and deep.
        var twoMebibytes = new string('x', 2 * 1024 * 1024);
        JsonBody("json 2 MiB", Refused.EveryWrite, $$"""{"type":"home","path":"{{twoMebibytes}}"}""");
        bodies.Add(new Body("json 2 MiB unsized", Refused.EveryWrite, key => new UnsizedContent(
            Encoding.UTF8.GetBytes(WithJsonKey($$"""{"type":"home","path":"{{twoMebibytes}}"}""", key)), "application/json")));
        JsonBody("json 900 KiB", Refused.EveryWrite, $$"""{"type":"folder","path":"{{new string('y', 900 * 1024)}}"}""");
        JsonBody("json 100000 deep arrays", Refused.EveryWrite, """{"type":"home","path":""" + new string('[', 100_000) + new string(']', 100_000) + "}");
        JsonBody("json 70 deep objects", Refused.EveryWrite, """{"type":"home","path":""" + string.Concat(Enumerable.Repeat("{\"a\":", 70)) + "1" + new string('}', 71));
        JsonBody("json 60 deep objects", Refused.EveryWrite, """{"type":"home","path":""" + string.Concat(Enumerable.Repeat("{\"a\":", 60)) + "1" + new string('}', 61));
        JsonBody("json unclosed deep", Refused.EveryWrite, """{"type":""" + new string('[', 10_000));
        JsonBody("json 20000 keys", Refused.EveryWrite, "{" + string.Concat(Enumerable.Range(0, 20_000).Select(i => $"\"k{i}\":{i},")) + "\"type\":\"folder\"}");
        JsonBody("json 100 KiB key", Refused.EveryWrite, $$"""{"{{new string('k', 100 * 1024)}}":1,"type":"folder"}""");
        JsonBody("json 1e999999 number", Refused.EveryWrite, """{"type":1e999999,"path":-1e-999999}""");

        // Content types: not ours (415 whatever the body), or JSON in odd spellings with a bad body.
        foreach (var contentType in new[]
        {
            "text/plain", "text/json", "application/xml", "application/json-patch+json", "application/merge-patch+json", "application/vnd.api+json",
            "application/javascript", "text/html; charset=utf-8", "*/*", "garbage", "application/", "/json", "json", "multipart/mixed; boundary=x",
            "application/x-json", "application/jsonx", "image/png", "application/octet-stream", "text/plain; charset=\u00ff",
        })
        {
            JsonBody($"content type {contentType}", Refused.EveryWrite, """{"type":"home"}""", contentType);
        }

        foreach (var contentType in new[] { "APPLICATION/JSON", "application/json; charset=utf-8", "application/json;;;", "application/json; charset=bogus", "application/json ; x=y", "Application/Json; charset=\"utf-8\"" })
        {
            JsonBody($"content type {contentType}", Refused.EveryWrite, """{"type":"folder","path":"x"}""", contentType);
            JsonBody($"content type {contentType} valid", Refused.Nothing, $$"""{"type":"home","path":{{U()}}}""", contentType);
        }

        // Bodies without a type: refused by POST and PUT only.
        foreach (var json in new[] { "{}", """{"path":"x"}""", """{"protocol":"p://"}""", """{"id":"3f2504e0-4f89-41d3-9a0c-0305e82c3301","created_at":"2020-01-01T00:00:00Z"}""", """{"TYPE":"home"}""", """{"type ":"home"}""" })
        {
            JsonBody($"json no type {json}", Refused.PostAndPut, json);
        }

        bodies.Add(new Body("no content type", Refused.PostAndPut, key => Raw(Encoding.UTF8.GetBytes(WithJsonKey("""{"type":"home"}""", key)), null)));
        bodies.Add(new Body("empty content type", Refused.PostAndPut, key => Raw(Encoding.UTF8.GetBytes(WithJsonKey("""{"type":"home"}""", key)), string.Empty)));
        bodies.Add(new Body("empty json body", Refused.PostAndPut, _ => Raw([], "application/json")));

        // Forms.
        void FormBody(string name, Refused refused, string text, string contentType = "application/x-www-form-urlencoded") =>
            bodies.Add(new Body(name, refused, key => Raw(Encoding.UTF8.GetBytes(key is null ? text : text + "&personal_api_key=" + Uri.EscapeDataString(key)), contentType)));
        foreach (var text in new[]
        {
            "type=folder", "type=", "type", "type=home&type=folder", "type=HOME", "type=home%00", "type=home&path=a%00b", "type=home&protocol=",
            "type=home&protocol=%20%20%20", "type=home&protocol=" + new string('a', 65), "type=%FF%FE", "type=%zz", "type=%F0%9F%8F%A0",
            "type=%E2%80%AEhome", "type=home%20", "type=home&protocol", "type=pinned&protocol=%00", "type=%ED%A0%80",
            string.Join('&', Enumerable.Range(0, 2000).Select(i => $"f{i}=v")) + "&type=folder", new string('k', 3000) + "=1&type=folder",
            "type=folder&" + Uri.EscapeDataString("🏠") + "=" + Uri.EscapeDataString("‮"), "type=home&path=" + new string('p', 2 * 1024 * 1024),
        })
        {
            FormBody($"form {HardeningChecks.Shorten(text, 24)}", Refused.EveryWrite, text);
        }

        FormBody("form charset utf-999", Refused.EveryWrite, "type=folder", "application/x-www-form-urlencoded; charset=utf-999");
        FormBody("form charset empty", Refused.EveryWrite, "type=folder", "application/x-www-form-urlencoded; charset=");
        FormBody("form raw unicode", Refused.EveryWrite, "type=🏠&path=مجلد");
        foreach (var text in new[] { "path=x", "=home", "%%%&&&===", """{"type":"home"}""", "&&&", "type%3Dhome" })
        {
            FormBody($"form no type {text}", Refused.PostAndPut, text);
        }

        // Multipart.
        void MultipartBody(string name, Refused refused, string contentType, params string[] parts) =>
            bodies.Add(new Body(name, refused, key => Raw(Encoding.UTF8.GetBytes(MultipartText(parts, key)), contentType)));
        var multipart = $"multipart/form-data; boundary={Boundary}";
        MultipartBody("multipart folder", Refused.EveryWrite, multipart, Part("type", "folder"));
        MultipartBody("multipart repeated type", Refused.EveryWrite, multipart, Part("type", "home"), Part("type", "folder"));
        MultipartBody("multipart file for type", Refused.EveryWrite, multipart, FilePart("type", "folder.txt", "home"));
        MultipartBody("multipart file for path", Refused.EveryWrite, multipart, Part("type", "home"), FilePart("path", "path.txt", "Root"));
        MultipartBody("multipart file for protocol", Refused.EveryWrite, multipart, Part("type", "pinned"), FilePart("protocol", "p.bin", "x://"));
        MultipartBody("multipart empty file name", Refused.EveryWrite, multipart, FilePart("type", string.Empty, "folder"));
        MultipartBody("multipart emoji file name", Refused.EveryWrite, multipart,
            $"Content-Disposition: form-data; name=\"type\"; filename*=UTF-8''%F0%9F%8F%A0\r\n\r\nhome");
        MultipartBody("multipart nul path", Refused.EveryWrite, multipart, Part("type", "home"), Part("path", "a\u0000b"));
        MultipartBody("multipart part without name", Refused.EveryWrite, multipart, "Content-Disposition: form-data\r\n\r\nhome", Part("type", "folder"));
        MultipartBody("multipart json part", Refused.EveryWrite, multipart, "Content-Disposition: form-data; name=\"type\"\r\nContent-Type: application/json\r\n\r\n{\"type\":\"home\"}");
        MultipartBody("multipart 1100 parts", Refused.EveryWrite, multipart, [.. Enumerable.Range(0, 1100).Select(i => Part($"f{i}", "v")), Part("type", "folder")]);
        MultipartBody("multipart 20 KiB header", Refused.EveryWrite, multipart, $"Content-Disposition: form-data; name=\"type\"\r\nX-Long: {new string('h', 20 * 1024)}\r\n\r\nfolder");
        MultipartBody("multipart unicode", Refused.EveryWrite, multipart, Part("type", "🏠"), Part("path", "\u202Eemoh"));
        MultipartBody("multipart without boundary", Refused.EveryWrite, "multipart/form-data", Part("type", "folder"));
        MultipartBody("multipart empty boundary", Refused.PostAndPut, "multipart/form-data; boundary=\"\"", Part("type", "folder"));
        MultipartBody("multipart 200-char boundary", Refused.PostAndPut, $"multipart/form-data; boundary={new string('b', 200)}", Part("type", "folder"));
        MultipartBody("multipart other boundary", Refused.PostAndPut, "multipart/form-data; boundary=not-the-one", Part("type", "folder"));
        bodies.Add(new Body("multipart truncated", Refused.EveryWrite, _ => Raw(
            Encoding.UTF8.GetBytes($"--{Boundary}\r\nContent-Disposition: form-data; name=\"type\"\r\n\r\nfolder\r\n--{Boundary}\r\nContent-Disposition: form-da"), multipart)));
        bodies.Add(new Body("multipart garbage", Refused.PostAndPut, _ => Raw(Encoding.UTF8.GetBytes("this is not multipart at all"), multipart)));
        bodies.Add(new Body("multipart binary", Refused.PostAndPut, _ => Raw([.. Enumerable.Range(0, 512).Select(i => (byte)(i * 37))], multipart)));

        return bodies;
    }

    private static string Part(string name, string value) => $"Content-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}";

    private static string FilePart(string name, string fileName, string content) =>
        $"Content-Disposition: form-data; name=\"{name}\"; filename=\"{fileName}\"\r\nContent-Type: application/octet-stream\r\n\r\n{content}";

    private static string MultipartText(IEnumerable<string> parts, string? key)
    {
        var all = key is null ? parts : parts.Append(Part("personal_api_key", key));
        return string.Concat(all.Select(p => $"--{Boundary}\r\n{p}\r\n")) + $"--{Boundary}--\r\n";
    }

    /// <summary>The key as a body field, first in the object, when the body is a JSON object.</summary>
    private static string WithJsonKey(string json, string? key) =>
        key is null || !json.StartsWith('{') ? json
        : json.StartsWith("{}", StringComparison.Ordinal) ? $$"""{"personal_api_key":{{JsonSerializer.Serialize(key)}}}""" + json[2..]
        : $$"""{"personal_api_key":{{JsonSerializer.Serialize(key)}},""" + json[1..];

    private static ByteArrayContent Raw(byte[] bytes, string? contentType)
    {
        var content = new ByteArrayContent(bytes);
        if (contentType is not null)
        {
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        return content;
    }

    private static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];

    private sealed record World(
        Actor Owner, string ReadKey, Actor Neighbour, long OutsiderProject, long UnknownProject, Guid WebHome, Guid DesktopPinned, Guid LegacyCustom,
        Guid NeighbourHome, string InvalidKey);

    private sealed record Id(string Name, string Segment, bool Own);

    private sealed record Body(string Name, Refused Refused, Func<string?, HttpContent> Create);

    private sealed record FuzzCase(
        HttpMethod Method, string Url, string What, bool MustBeRefused, string? Key, Credential Credential, Func<HttpContent?> Content,
        string? Accept = null, string? Version = null)
    {
        public HttpRequestMessage Build()
        {
            var request = new HttpRequestMessage(Method, new Uri(Url, UriKind.Relative)) { Content = Content() };
            var authorization = Credential switch
            {
                Credential.Bearer => $"Bearer {Key}",
                Credential.BearerPadded => $"Bearer \t  {Key}  ",
                Credential.BearerReadOnly or Credential.BearerInvalid => $"Bearer {Key}",
                Credential.BearerLowercase => $"bearer {Key}",
                Credential.BearerEmpty => "Bearer ",
                Credential.BearerHuge => "Bearer phx_" + new string('h', 20_000),
                Credential.BearerUnicode => "Bearer phx_🏠\u202E" + new string('u', 40),
                Credential.Basic => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(Key + ":")),
                _ => null,
            };
            if (authorization is not null)
            {
                request.Headers.TryAddWithoutValidation("Authorization", authorization);
            }

            if (Accept is not null)
            {
                request.Headers.TryAddWithoutValidation("Accept", Accept);
            }

            if (Version is not null)
            {
                request.Headers.TryAddWithoutValidation("X-Api-Version", Version);
            }

            return request;
        }
    }

    /// <summary>A body sent without a Content-Length (chunked on the wire), so only reading it finds its size.</summary>
    private sealed class UnsizedContent : HttpContent
    {
        private readonly byte[] bytes;

        public UnsizedContent(byte[] bytes, string contentType)
        {
            this.bytes = bytes;
            Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(bytes).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
