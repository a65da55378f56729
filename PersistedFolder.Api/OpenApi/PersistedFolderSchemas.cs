using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using PersistedFolder.Core.Folders;

namespace PersistedFolder.Api.OpenApi;

/// <summary>
/// The component schemas of PostHog's persisted-folder serializer, as drf-spectacular writes them.
/// They are spelled out because the wire contract says more than the DTOs' CLR types can: which
/// fields are read-only, the 64-character <c>protocol</c>, the <c>type</c> choices, and a PATCH
/// body in which every field is optional.
/// </summary>
internal static class PersistedFolderSchemas
{
    public const string Folder = "PersistedFolder";
    public const string PatchedFolder = "PatchedPersistedFolder";
    public const string Page = "PaginatedPersistedFolderList";
    public const string TypeEnum = "PersistedFolderTypeEnum";

    /// <summary>PostHog's <c>type</c> choices and labels, in its declaration order.</summary>
    private static readonly (string Value, string Label)[] TypeChoices =
    [
        (FolderType.Home, "Home"),
        (FolderType.Pinned, "Pinned"),
        (FolderType.CustomProducts, "Custom Products"),
    ];

    /// <summary>The four schemas, by name, in drf-spectacular's (alphabetical) order.</summary>
    public static Dictionary<string, IOpenApiSchema> Create(OpenApiDocument document) => new(StringComparer.Ordinal)
    {
        [Page] = PageSchema(document),
        [PatchedFolder] = FolderSchema(document, required: []),
        [Folder] = FolderSchema(document, required: ["id", "type", "created_at", "updated_at"]),
        [TypeEnum] = TypeEnumSchema(),
    };

    private static OpenApiSchema FolderSchema(OpenApiDocument document, HashSet<string> required) => new()
    {
        Type = JsonSchemaType.Object,
        Properties = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal)
        {
            ["id"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "uuid", ReadOnly = true },
            ["type"] = new OpenApiSchemaReference(TypeEnum, document),
            ["protocol"] = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = FolderValidator.ProtocolMaxLength },
            ["path"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["created_at"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "date-time", ReadOnly = true },
            ["updated_at"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "date-time", ReadOnly = true },
        },
        Required = required,
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
