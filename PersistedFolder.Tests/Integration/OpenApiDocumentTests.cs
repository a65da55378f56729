using System.Net;
using System.Text.Json.Nodes;

namespace PersistedFolder.Tests.Integration;

/// <summary>
/// SPEC §9: the OpenAPI document at <c>/api/schema/</c> has PostHog's operations, parameters,
/// security and schemas, and the reference page at <c>/api/docs/</c> is served; neither needs a key.
/// </summary>
public sealed class OpenApiDocumentTests : ApiFixture
{
    private const string SchemaUrl = "/api/schema/";
    private const string WebCollection = "/api/projects/{project_id}/persisted_folder/";
    private const string WebItem = "/api/projects/{project_id}/persisted_folder/{id}/";
    private const string EnvironmentsCollection = "/api/environments/{environment_id}/persisted_folder/";
    private const string EnvironmentsItem = "/api/environments/{environment_id}/persisted_folder/{id}/";
    private const string DesktopCollection = "/api/projects/{project_id}/desktop_persisted_folder/";
    private const string DesktopItem = "/api/projects/{project_id}/desktop_persisted_folder/{id}/";
    private const string Read = "persisted_folder:read";
    private const string Write = "persisted_folder:write";

    /// <summary>Every operation of PostHog's document for these routes, and nothing else.</summary>
    private static readonly ExpectedOperation[] Operations =
    [
        new("get", WebCollection, "persisted_folder_list"),
        new("post", WebCollection, "persisted_folder_create"),
        new("get", WebItem, "persisted_folder_retrieve"),
        new("put", WebItem, "persisted_folder_update"),
        new("patch", WebItem, "persisted_folder_partial_update"),
        new("delete", WebItem, "persisted_folder_destroy"),
        new("get", EnvironmentsCollection, "environments_persisted_folder_list"),
        new("post", EnvironmentsCollection, "environments_persisted_folder_create"),
        new("get", EnvironmentsItem, "environments_persisted_folder_retrieve"),
        new("put", EnvironmentsItem, "environments_persisted_folder_update"),
        new("patch", EnvironmentsItem, "environments_persisted_folder_partial_update"),
        new("delete", EnvironmentsItem, "environments_persisted_folder_destroy"),
        new("get", DesktopCollection, "desktop_persisted_folder_list"),
        new("post", DesktopCollection, "desktop_persisted_folder_create"),
        new("get", DesktopItem, "desktop_persisted_folder_retrieve"),
        new("put", DesktopItem, "desktop_persisted_folder_update"),
        new("patch", DesktopItem, "desktop_persisted_folder_partial_update"),
        new("delete", DesktopItem, "desktop_persisted_folder_destroy"),
    ];

    private static readonly string[] BodyMediaTypes = ["application/json", "application/x-www-form-urlencoded", "multipart/form-data"];
    private static readonly string[] Tags = ["persisted_folder"];
    private static readonly string[] SecuritySchemes = ["PersonalAPIKeyAuth"];
    private static readonly string[] SchemaNames =
    [
        "PersistedFolder", "PatchedPersistedFolder", "PaginatedPersistedFolderList", "PersistedFolderTypeEnum",
        "PersistedFolderRequest", "PatchedPersistedFolderRequest", "Error",
    ];

    private static readonly string[] ErrorTypes = ["authentication_error", "validation_error", "invalid_request", "throttled_error", "server_error"];
    private static readonly string[] ErrorKeys = ["type", "code", "detail", "attr"];
    private static readonly string[] RequestKeys = ["type", "protocol", "path"];
    private static readonly string[] Timestamps = ["created_at", "updated_at"];
    private static readonly string[] PageLinks = ["next", "previous"];
    private static readonly string[] PageRequired = ["count", "results"];
    private static readonly string[] TypeChoices = ["home", "pinned", "custom_products"];

    private JsonNode? document;

    private JsonNode Document => document ?? throw new InvalidOperationException("The document was not fetched.");

    private JsonObject Schemas => Document["components"]!["schemas"]!.AsObject();

    private static IEnumerable<TestCaseData> EachOperation() =>
        Operations.Select(operation => new TestCaseData(operation).SetArgDisplayNames(operation.OperationId));

    [OneTimeSetUp]
    public async Task FetchDocument()
    {
        var response = await SendAsync(HttpMethod.Get, SchemaUrl);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        document = JsonNode.Parse(await response.Content.ReadAsStringAsync());
    }

    [TestCase(SchemaUrl, null)]
    [TestCase(SchemaUrl, "application/json")]
    [TestCase("/api/schema/?format=json", null)]
    [TestCase("/api/schema/?format=json", "application/json")]
    [TestCase("/api/schema", null)]
    public async Task Schema_is_an_openapi_3_json_document_served_without_credentials(string url, string? accept)
    {
        var response = await SendAsync(HttpMethod.Get, url, content: null, request =>
        {
            if (accept is not null)
            {
                request.Headers.Accept.ParseAdd(accept);
            }
        });
        var body = await response.Content.ReadAsStringAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
            Assert.That((string?)JsonNode.Parse(body)?["openapi"], Does.StartWith("3."));
        }
    }

    [Test]
    public async Task Schema_ignores_an_invalid_key_and_answers_head()
    {
        var withBadKey = await SendAsync(HttpMethod.Get, SchemaUrl, "phx_not_a_real_key");
        var head = await SendAsync(HttpMethod.Head, SchemaUrl);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(withBadKey.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(head.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }
    }

    [Test]
    public void Document_has_exactly_posthogs_operations_on_their_paths_and_methods()
    {
        var actual = Document["paths"]!.AsObject()
            .SelectMany(path => path.Value!.AsObject().Select(operation =>
                new ExpectedOperation(operation.Key, path.Key, (string)operation.Value!["operationId"]!)));

        Assert.That(actual, Is.EquivalentTo(Operations));
    }

    [TestCaseSource(nameof(EachOperation))]
    public void Only_the_environments_alias_is_deprecated(ExpectedOperation expected)
    {
        var deprecated = (bool?)Operation(expected)["deprecated"] ?? false;

        Assert.That(deprecated, Is.EqualTo(expected.Path.StartsWith("/api/environments/", StringComparison.Ordinal)));
    }

    [TestCaseSource(nameof(EachOperation))]
    public void Operation_is_tagged_persisted_folder(ExpectedOperation expected) =>
        Assert.That(Strings(Operation(expected)["tags"]), Is.EqualTo(Tags));

    [TestCaseSource(nameof(EachOperation))]
    public void Operation_requires_a_personal_api_key_with_the_scope_it_needs(ExpectedOperation expected)
    {
        var security = Operation(expected)["security"]!.AsArray();
        var scope = expected.Method == "get" ? Read : Write;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(security, Has.Count.EqualTo(1));
            Assert.That(security[0]!.AsObject().Select(requirement => requirement.Key), Is.EqualTo(SecuritySchemes));
            Assert.That(Strings(security[0]!["PersonalAPIKeyAuth"]), Is.EqualTo((string[])[scope]));
        }
    }

    [Test]
    public void Personal_api_key_auth_is_a_bearer_scheme()
    {
        var scheme = Document["components"]!["securitySchemes"]!["PersonalAPIKeyAuth"];

        using (Assert.EnterMultipleScope())
        {
            Assert.That((string?)scheme?["type"], Is.EqualTo("http"));
            Assert.That((string?)scheme?["scheme"], Is.EqualTo("bearer"));
        }
    }

    [TestCaseSource(nameof(EachOperation))]
    public void Operation_has_posthogs_parameters(ExpectedOperation expected)
    {
        var parameters = Operation(expected)["parameters"]!.AsArray().ToDictionary(parameter => (string)parameter!["name"]!, parameter => parameter!);
        var isItem = expected.Path.EndsWith("{id}/", StringComparison.Ordinal);
        var isList = expected.OperationId.EndsWith("_list", StringComparison.Ordinal);
        var isAlias = expected.Path.StartsWith("/api/environments/", StringComparison.Ordinal);
        var project = isAlias ? "environment_id" : "project_id";
        var condition = expected.Method == "get" ? "If-None-Match" : expected.Method == "post" ? null : "If-Match";
        string[] names = [.. new[] { project, isItem ? "id" : null, isList ? "limit" : null, isList ? "offset" : null, condition }.OfType<string>()];

        using (Assert.EnterMultipleScope())
        {
            Assert.That(parameters.Keys, Is.EquivalentTo(names));
            AssertParameter(parameters[project], "path", "string", null, isAlias
                ? "Deprecated. Use /api/projects/{project_id}/ instead."
                : "Project ID of the project you're trying to access. To find the ID of the project, make a call to /api/projects/.");
            if (condition is not null)
            {
                Assert.That((string?)parameters[condition]["in"], Is.EqualTo("header"));
                Assert.That((bool?)parameters[condition]["required"] ?? false, Is.False);
            }

            if (isItem)
            {
                AssertParameter(parameters["id"], "path", "string", "uuid", "A UUID string identifying this persisted folder.");
            }

            if (isList)
            {
                AssertParameter(parameters["limit"], "query", "integer", null, "Number of results to return per page.");
                AssertParameter(parameters["offset"], "query", "integer", null, "The initial index from which to return the results.");
            }
        }
    }

    [TestCaseSource(nameof(EachOperation))]
    public void Operation_takes_the_body_it_reads_in_every_media_type(ExpectedOperation expected)
    {
        var body = Operation(expected)["requestBody"];
        var schema = expected.Method switch
        {
            "post" or "put" => "PersistedFolderRequest",
            "patch" => "PatchedPersistedFolderRequest",
            _ => null,
        };

        if (schema is null)
        {
            Assert.That(body, Is.Null);
            return;
        }

        var content = body!["content"]!.AsObject();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(content.Select(media => media.Key), Is.EqualTo(BodyMediaTypes));
            Assert.That(content.Select(media => RefOf(media.Value!["schema"])), Is.All.EqualTo(schema));
            Assert.That((bool?)body["required"] ?? false, Is.EqualTo(expected.Method != "patch"));
        }
    }

    [TestCaseSource(nameof(EachOperation))]
    public void Operation_answers_posthogs_status_and_schema(ExpectedOperation expected)
    {
        var responses = Operation(expected)["responses"]!.AsObject();
        var (status, schema) = expected.OperationId[(expected.OperationId.LastIndexOf("folder_", StringComparison.Ordinal) + "folder_".Length)..] switch
        {
            "list" => ("200", "PaginatedPersistedFolderList"),
            "create" => ("201", "PersistedFolder"),
            "destroy" => ("204", (string?)null),
            _ => ("200", "PersistedFolder"),
        };

        var hasBody = expected.Method is "post" or "put" or "patch";
        var conditionalWrite = expected.Method is "put" or "patch" or "delete";
        string[] statuses =
        [
            .. new[]
            {
                status, expected.Method == "get" ? "304" : null, "400", "401", "403", "404", "406",
                conditionalWrite ? "412" : null, hasBody ? "413" : null, hasBody ? "415" : null, "429", "503",
            }.OfType<string>(),
        ];

        using (Assert.EnterMultipleScope())
        {
            Assert.That(responses.Select(response => response.Key), Is.EqualTo(statuses));
            if (status != "204")
            {
                Assert.That(responses[status]?["headers"]?["ETag"], Is.Not.Null, "ETag on the success");
            }

            foreach (var error in statuses.Where(code => code[0] is '4' or '5'))
            {
                var reference = (string?)responses[error]?["$ref"];
                Assert.That(reference, Does.StartWith("#/components/responses/"), error);
                var component = Document["components"]!["responses"]![reference!["#/components/responses/".Length..]];
                Assert.That(RefOf(component?["content"]?["application/json"]?["schema"]), Is.EqualTo("Error"), error);
            }

            var content = responses[status]?["content"];
            if (schema is null)
            {
                Assert.That(content, Is.Null);
            }
            else
            {
                Assert.That(RefOf(content?["application/json"]?["schema"]), Is.EqualTo(schema));
            }
        }
    }

    [Test]
    public void Components_hold_the_four_posthog_schemas_the_two_request_bodies_and_the_error() =>
        Assert.That(
            Schemas.Select(schema => schema.Key),
            Is.EquivalentTo(SchemaNames));

    [TestCase("PersistedFolder", new[] { "id", "type", "created_at", "updated_at" })]
    [TestCase("PatchedPersistedFolder", new string[0])]
    public void Folder_schema_describes_the_wire_fields(string name, string[] required)
    {
        var schema = Schemas[name]!;
        var properties = schema["properties"]!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That((string?)schema["type"], Is.EqualTo("object"));
            Assert.That(schema["properties"]!.AsObject().Select(property => property.Key), Is.EqualTo(Wire.FolderKeys));
            Assert.That(Strings(schema["required"]), Is.EquivalentTo(required));
            Assert.That((string?)properties["id"]!["type"], Is.EqualTo("string"));
            Assert.That((string?)properties["id"]!["format"], Is.EqualTo("uuid"));
            Assert.That((bool?)properties["id"]!["readOnly"], Is.True);
            Assert.That(RefOf(properties["type"]), Is.EqualTo("PersistedFolderTypeEnum"));
            Assert.That((string?)properties["protocol"]!["type"], Is.EqualTo("string"));
            Assert.That((int?)properties["protocol"]!["maxLength"], Is.EqualTo(64));
            Assert.That((bool?)properties["protocol"]!["readOnly"], Is.Null);
            Assert.That((string?)properties["path"]!["type"], Is.EqualTo("string"));
            foreach (var timestamp in Timestamps)
            {
                Assert.That((string?)properties[timestamp]!["type"], Is.EqualTo("string"), timestamp);
                Assert.That((string?)properties[timestamp]!["format"], Is.EqualTo("date-time"), timestamp);
                Assert.That((bool?)properties[timestamp]!["readOnly"], Is.True, timestamp);
            }
        }
    }

    [Test]
    public void Page_schema_describes_a_limit_offset_page()
    {
        var schema = Schemas["PaginatedPersistedFolderList"]!;
        var properties = schema["properties"]!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(schema["properties"]!.AsObject().Select(property => property.Key), Is.EqualTo(Wire.PageKeys));
            Assert.That(Strings(schema["required"]), Is.EquivalentTo(PageRequired));
            Assert.That((string?)properties["count"]!["type"], Is.EqualTo("integer"));
            foreach (var link in PageLinks)
            {
                Assert.That(IsNullableUri(properties[link]!), Is.True, properties[link]!.ToJsonString());
            }

            Assert.That((string?)properties["results"]!["type"], Is.EqualTo("array"));
            Assert.That(RefOf(properties["results"]!["items"]), Is.EqualTo("PersistedFolder"));
        }
    }

    [Test]
    public void Type_enum_lists_posthogs_choices()
    {
        var schema = Schemas["PersistedFolderTypeEnum"]!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That((string?)schema["type"], Is.EqualTo("string"));
            Assert.That(Strings(schema["enum"]), Is.EqualTo(TypeChoices));
            Assert.That((string?)schema["description"], Is.EqualTo("* `home` - Home\n* `pinned` - Pinned\n* `custom_products` - Custom Products"));
        }
    }

    [TestCase("PersistedFolderRequest", new[] { "type" })]
    [TestCase("PatchedPersistedFolderRequest", new string[0])]
    public void Request_schemas_have_only_the_writable_fields(string name, string[] required)
    {
        var schema = Schemas[name]!;
        var properties = schema["properties"]!.AsObject();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(properties.Select(property => property.Key), Is.EqualTo(RequestKeys));
            Assert.That(properties.Where(property => (bool?)property.Value!["readOnly"] == true), Is.Empty);
            Assert.That(Strings(schema["required"]), Is.EquivalentTo(required));
            Assert.That(RefOf(properties["type"]), Is.EqualTo("PersistedFolderTypeEnum"));
            Assert.That((string?)properties["protocol"]!["description"], Is.Not.Empty);
            Assert.That((string?)properties["path"]!["description"], Is.Not.Empty);
        }
    }

    [Test]
    public void Error_schema_is_the_one_error_body()
    {
        var schema = Schemas["Error"]!;
        var properties = schema["properties"]!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(properties.AsObject().Select(property => property.Key), Is.EqualTo(ErrorKeys));
            Assert.That(Strings(schema["required"]), Is.EquivalentTo(ErrorKeys));
            Assert.That(Strings(properties["type"]!["enum"]), Is.EqualTo(ErrorTypes));
            Assert.That((string?)properties["code"]!["type"], Is.EqualTo("string"));
            Assert.That((string?)properties["detail"]!["type"], Is.EqualTo("string"));
            Assert.That((string?)properties["attr"]!["type"], Is.EqualTo("string"));
            Assert.That((bool?)properties["attr"]!["nullable"], Is.True);
        }
    }

    [TestCaseSource(nameof(EachOperation))]
    public void Operation_has_posthogs_docs_title_and_a_description(ExpectedOperation expected)
    {
        var noun = expected.Path.Contains("desktop_", StringComparison.Ordinal) ? "desktop persisted folder" : "persisted folder";
        var action = expected.OperationId[(expected.OperationId.LastIndexOf("folder_", StringComparison.Ordinal) + "folder_".Length)..];
        var summary = action switch
        {
            "list" => $"List all {noun}",
            "create" => $"Create {noun}",
            "retrieve" => $"Retrieve {noun}",
            "update" or "partial_update" => $"Update {noun}",
            _ => $"Delete {noun}",
        };

        using (Assert.EnterMultipleScope())
        {
            Assert.That((string?)Operation(expected)["summary"], Is.EqualTo(summary));
            Assert.That((string?)Operation(expected)["description"], Does.Contain(noun.StartsWith("desktop", StringComparison.Ordinal) ? "desktop surface" : "web surface"));
        }
    }

    [Test]
    public void Canonical_paths_come_first_and_the_deprecated_alias_last()
    {
        var paths = Document["paths"]!.AsObject().Select(path => path.Key).ToList();
        var firstAlias = paths.FindIndex(path => path.StartsWith("/api/environments/", StringComparison.Ordinal));

        Assert.That(firstAlias, Is.EqualTo(4));
        Assert.That(paths.Skip(firstAlias), Is.All.StartsWith("/api/environments/"));
    }

    [Test]
    public void Servers_is_relative_by_default() =>
        Assert.That(Document["servers"]!.ToJsonString(), Is.EqualTo("""[{"url":"/"}]"""));

    /// <summary>The schemas name the fields the API really writes, in snake_case.</summary>
    [Test]
    public async Task Schema_properties_are_the_keys_of_real_responses()
    {
        var actor = await CreateActorAsync();
        var created = await SendAsync(HttpMethod.Post, Routes.Collection(Routes.Web, actor.ProjectId), actor.Key, Json("""{"type":"home","path":"Root"}"""));
        var page = await SendAsync(HttpMethod.Get, Routes.Collection(Routes.Web, actor.ProjectId), actor.Key);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created));
            Assert.That(Wire.KeysOf(await created.Content.ReadAsStringAsync()), Is.EqualTo(Schemas["PersistedFolder"]!["properties"]!.AsObject().Select(p => p.Key)));
            Assert.That(Wire.KeysOf(await page.Content.ReadAsStringAsync()), Is.EqualTo(Schemas["PaginatedPersistedFolderList"]!["properties"]!.AsObject().Select(p => p.Key)));
        }
    }

    [TestCase("/api/docs/")]
    [TestCase("/api/docs/persisted_folder")]
    public async Task Reference_page_is_html_served_without_credentials(string url)
    {
        var page = await SendAsync(HttpMethod.Get, url);
        var html = await page.Content.ReadAsStringAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.OK), html);
            Assert.That(page.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/html"));
            Assert.That(html, Does.Contain("api/schema/"));
        }
    }

    [Test]
    public async Task Reference_page_script_is_served()
    {
        var script = await SendAsync(HttpMethod.Get, "/api/docs/scalar.js");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(script.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(script.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/javascript"));
        }
    }

    [Test]
    public async Task Other_paths_under_api_still_answer_endpoint_not_found()
    {
        var response = await SendAsync(HttpMethod.Get, "/api/schema/nothing-here/");

        await AssertNotFoundAsync(response, "Endpoint not found.");
    }

    private static void AssertParameter(JsonNode parameter, string location, string type, string? format, string description)
    {
        var name = (string?)parameter["name"];
        using (Assert.EnterMultipleScope())
        {
            Assert.That((string?)parameter["in"], Is.EqualTo(location), name);
            Assert.That((bool?)parameter["required"] ?? false, Is.EqualTo(location == "path"), name);
            Assert.That((string?)parameter["description"], Is.EqualTo(description), name);
            Assert.That((string?)parameter["schema"]?["type"], Is.EqualTo(type), name);
            Assert.That((string?)parameter["schema"]?["format"], Is.EqualTo(format), name);
        }
    }

    /// <summary>Nullable the OpenAPI 3.0 way (<c>nullable: true</c>) or the 3.1 way (<c>type: [string, null]</c>).</summary>
    private static bool IsNullableUri(JsonNode schema) =>
        (string?)schema["format"] == "uri"
        && (schema["type"] is JsonArray types
            ? Strings(types).Order(StringComparer.Ordinal).SequenceEqual(["null", "string"])
            : (string?)schema["type"] == "string" && (bool?)schema["nullable"] == true);

    /// <summary>The component name a <c>$ref</c> points at.</summary>
    private static string? RefOf(JsonNode? schema) =>
        (string?)schema?["$ref"] is { } reference && reference.StartsWith("#/components/schemas/", StringComparison.Ordinal)
            ? reference["#/components/schemas/".Length..]
            : null;

    private static string[] Strings(JsonNode? array) => [.. (array?.AsArray() ?? []).Select(item => (string)item!)];

    private JsonNode Operation(ExpectedOperation expected) =>
        Document["paths"]?[expected.Path]?[expected.Method]
            ?? throw new AssertionException($"The document has no {expected.Method.ToUpperInvariant()} {expected.Path}.");

    /// <summary>An operation as the document keys it: lower-case method, path, operationId.</summary>
    public sealed record ExpectedOperation(string Method, string Path, string OperationId);
}
