using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using PersistedFolder.Core.Folders;

namespace PersistedFolder.Api.OpenApi;

/// <summary>
/// The component schemas of PostHog's persisted-folder serializer, as drf-spectacular writes them.
/// They are spelled out because the wire contract says more than the DTOs' CLR types can: which
/// fields are read-only, the 64-character <c>protocol</c>, the <c>type</c> choices, and a PATCH
/// body in which every field is optional. Request bodies have schemas of their own without the
/// read-only fields (drf-spectacular's <c>COMPONENT_SPLIT_REQUEST</c> names), so generated clients
/// neither demand <c>id</c>/<c>created_at</c> in a body nor clash it with the <c>id</c> path parameter;
/// every error answer has the one <see cref="Error"/> shape.
/// </summary>
internal static class PersistedFolderSchemas
{
    public const string Folder = "PersistedFolder";
    public const string PatchedFolder = "PatchedPersistedFolder";
    public const string Page = "PaginatedPersistedFolderList";
    public const string TypeEnum = "PersistedFolderTypeEnum";
    public const string FolderRequest = "PersistedFolderRequest";
    public const string PatchedFolderRequest = "PatchedPersistedFolderRequest";
    public const string Error = "Error";

    /// <summary>The five error types of SPEC §6.</summary>
    private static readonly string[] ErrorTypes = ["authentication_error", "validation_error", "invalid_request", "throttled_error", "server_error"];

    /// <summary>PostHog's <c>type</c> choices and labels, in its declaration order.</summary>
    private static readonly (string Value, string Label)[] TypeChoices =
    [
        (FolderType.Home, "Home"),
        (FolderType.Pinned, "Pinned"),
        (FolderType.CustomProducts, "Custom Products"),
    ];

    /// <summary>The schemas, by name, in drf-spectacular's (alphabetical) order.</summary>
    public static Dictionary<string, IOpenApiSchema> Create(OpenApiDocument document) => new(StringComparer.Ordinal)
    {
        [Error] = ErrorSchema(),
        [Page] = PageSchema(document),
        [PatchedFolder] = FolderSchema(document, required: []),
        [PatchedFolderRequest] = FolderRequestSchema(document, required: []),
        [Folder] = FolderSchema(document, required: ["id", "type", "created_at", "updated_at"]),
        [FolderRequest] = FolderRequestSchema(document, required: ["type"]),
        [TypeEnum] = TypeEnumSchema(),
    };

    private static OpenApiSchema FolderSchema(OpenApiDocument document, HashSet<string> required) => new()
    {
        Type = JsonSchemaType.Object,
        Properties = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal)
        {
            ["id"] = new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                Format = "uuid",
                ReadOnly = true,
                Description = "The folder's id, a time-ordered UUID (v7) given by the server.",
            },
            ["type"] = new OpenApiSchemaReference(TypeEnum, document),
            ["protocol"] = ProtocolSchema(),
            ["path"] = PathSchema(),
            ["created_at"] = Timestamp("When the folder was created (UTC, microseconds)."),
            ["updated_at"] = Timestamp("When the folder was last written (UTC, microseconds); every write moves it forward."),
        },
        Required = required,
    };

    /// <summary>What a client sends: the writable fields only; unknown and read-only fields are ignored by the API.</summary>
    private static OpenApiSchema FolderRequestSchema(OpenApiDocument document, HashSet<string> required) => new()
    {
        Type = JsonSchemaType.Object,
        Properties = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal)
        {
            ["type"] = new OpenApiSchemaReference(TypeEnum, document),
            ["protocol"] = ProtocolSchema(),
            ["path"] = PathSchema(),
        },
        Required = required,
    };

    private static OpenApiSchema ProtocolSchema() => new()
    {
        Type = JsonSchemaType.String,
        MaxLength = FolderValidator.ProtocolMaxLength,
        Description = "The scheme of the folder's location, e.g. `products://` (the default on create). Trimmed; may not be blank.",
    };

    private static OpenApiSchema PathSchema() => new()
    {
        Type = JsonSchemaType.String,
        Description = "The folder's path under its protocol, e.g. `Root/Home` (empty by default on create). Trimmed.",
    };

    private static OpenApiSchema Timestamp(string description) => new()
    {
        Type = JsonSchemaType.String,
        Format = "date-time",
        ReadOnly = true,
        Description = description,
    };

    /// <summary>SPEC §6: every error body, whatever the status.</summary>
    private static OpenApiSchema ErrorSchema() => new()
    {
        Type = JsonSchemaType.Object,
        Description = "Every error answer of the API has this shape (`Content-Type: application/json`).",
        Required = new HashSet<string>(StringComparer.Ordinal) { "type", "code", "detail", "attr" },
        Properties = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal)
        {
            ["type"] = new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                Enum = [.. ErrorTypes.Select(type => (JsonNode)JsonValue.Create(type))],
                Description = "The kind of error: `authentication_error` (401/403), `validation_error` (400), `invalid_request` (404, 405, 406, 412, 413, 415, parse errors), `throttled_error` (429), `server_error` (500, 503).",
            },
            ["code"] = new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                Description = "A stable machine-readable code, e.g. `required`, `invalid_choice`, `not_found`, `permission_denied`, `precondition_failed`, `throttled`.",
                Examples = ["not_found"],
            },
            ["detail"] = new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                Description = "A human-readable message.",
                Examples = ["Not found."],
            },
            ["attr"] = new OpenApiSchema
            {
                Type = JsonSchemaType.String | JsonSchemaType.Null,
                Description = "The request field the error is about (`type`, `protocol`, `path`), or null.",
            },
        },
    };

    private static OpenApiSchema PageSchema(OpenApiDocument document) => new()
    {
        Type = JsonSchemaType.Object,
        Required = new HashSet<string>(StringComparer.Ordinal) { "count", "results" },
        Properties = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal)
        {
            ["count"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Examples = [123] },
            ["next"] = PageLink("http://api.example.org/accounts/?offset=400&limit=100"),
            ["previous"] = PageLink("http://api.example.org/accounts/?offset=200&limit=100"),
            ["results"] = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchemaReference(Folder, document) },
        },
    };

    private static OpenApiSchema PageLink(string example) => new()
    {
        Type = JsonSchemaType.String | JsonSchemaType.Null,
        Format = "uri",
        Examples = [example],
    };

    private static OpenApiSchema TypeEnumSchema() => new()
    {
        Type = JsonSchemaType.String,
        Enum = [.. TypeChoices.Select(choice => (JsonNode)JsonValue.Create(choice.Value))],
        Description = string.Join('\n', TypeChoices.Select(choice => $"* `{choice.Value}` - {choice.Label}")),
    };
}
