using Microsoft.OpenApi;

namespace PersistedFolder.Api.OpenApi;

/// <summary>
/// Every answer an operation can give: its success (with <c>ETag</c>), 304 for reads, and the
/// <see cref="PersistedFolderSchemas.Error"/> body on each error status the API really answers on
/// that operation (SPEC §4–§8). 405 is not listed: a documented operation's method is always allowed.
/// </summary>
internal static class PersistedFolderResponses
{
    private const string InvalidInput = "InvalidInput";
    private const string UnsupportedVersion = "UnsupportedApiVersion";
    private const string Unauthenticated = "Unauthenticated";
    private const string Forbidden = "Forbidden";
    private const string NotFound = "NotFound";
    private const string NotAcceptable = "NotAcceptable";
    private const string PreconditionFailed = "PreconditionFailed";
    private const string TooLarge = "RequestTooLarge";
    private const string UnsupportedMediaType = "UnsupportedMediaType";
    private const string Throttled = "Throttled";
    private const string Unavailable = "ServiceUnavailable";

    /// <summary>The error answers, once each under <c>components/responses</c>; operations refer to them.</summary>
    public static Dictionary<string, IOpenApiResponse> Components(OpenApiDocument document) => new(StringComparer.Ordinal)
    {
        [InvalidInput] = Error(document, "Invalid input (`validation_error`: `required`, `null`, `invalid_choice`, `max_length`, `blank`, `invalid_input`, `null_characters_not_allowed`, `unique`), a malformed body (`parse_error`) or an unsupported `api-version` (`unsupported_api_version`)."),
        [UnsupportedVersion] = Error(document, "An unsupported `api-version` (`unsupported_api_version`)."),
        [Unauthenticated] = Error(document, "No credentials (`not_authenticated`) or an unknown key (`authentication_failed`).", ("WWW-Authenticate", "Always `Bearer`.")),
        [Forbidden] = Error(document, "The key lacks the scope, the project or the organization, or the user is not a member of the project's organization (`permission_denied`)."),
        [NotFound] = Error(document, "Unknown project (`Project not found.`) or folder (`Not found.`)."),
        [NotAcceptable] = Error(document, "The `Accept` header does not allow JSON (`not_acceptable`)."),
        [PreconditionFailed] = Error(document, "`If-Match` does not match the folder's current `ETag` (`precondition_failed`); nothing was written."),
        [TooLarge] = Error(document, "The body is larger than the configured limit (`request_too_large`)."),
        [UnsupportedMediaType] = Error(document, "The body's `Content-Type` is not JSON, form or multipart (`unsupported_media_type`)."),
        [Throttled] = Error(document, "Too many requests with this key (`throttled`).", ("Retry-After", "Seconds until the window reopens.")),
        [Unavailable] = Error(document, "The database is unavailable (`service_unavailable`); retry shortly.", ("Retry-After", "Seconds to wait before retrying.")),
    };

    private static OpenApiResponseReference Ref(string name, OpenApiDocument document) => new(name, document);

    public static OpenApiResponses For(OpenApiResponses? generated, string method, bool hasBody, OpenApiDocument document)
    {
        var responses = new SortedDictionary<string, IOpenApiResponse>(StringComparer.Ordinal);
        foreach (var (status, response) in generated ?? [])
        {
            if (response is OpenApiResponse success && status is "200" or "201")
            {
                success.Description = status == "201" ? "The saved folder." : success.Description is "OK" or null ? "OK" : success.Description;
                success.Headers = new Dictionary<string, IOpenApiHeader>(StringComparer.Ordinal) { ["ETag"] = ETagHeader() };
            }

            responses[status] = response;
        }

        var isGet = HttpMethods.IsGet(method);
        var conditionalWrite = HttpMethods.IsPut(method) || HttpMethods.IsPatch(method) || HttpMethods.IsDelete(method);
        if (isGet)
        {
            responses["304"] = new OpenApiResponse
            {
                Description = "Not Modified: `If-None-Match` matches the current `ETag`. No body.",
                Headers = new Dictionary<string, IOpenApiHeader>(StringComparer.Ordinal) { ["ETag"] = ETagHeader() },
            };
        }

        responses["400"] = Ref(hasBody ? InvalidInput : UnsupportedVersion, document);
        responses["401"] = Ref(Unauthenticated, document);
        responses["403"] = Ref(Forbidden, document);
        responses["404"] = Ref(NotFound, document);
        responses["406"] = Ref(NotAcceptable, document);
        if (conditionalWrite)
        {
            responses["412"] = Ref(PreconditionFailed, document);
        }

        if (hasBody)
        {
            responses["413"] = Ref(TooLarge, document);
            responses["415"] = Ref(UnsupportedMediaType, document);
        }

        responses["429"] = Ref(Throttled, document);
        responses["503"] = Ref(Unavailable, document);

        var result = new OpenApiResponses();
        foreach (var (status, response) in responses)
        {
            result[status] = response;
        }

        return result;
    }

    private static OpenApiHeader ETagHeader() => new()
    {
        Description = "The version of what was returned; send it in `If-None-Match` (reads) or `If-Match` (writes).",
        Schema = new OpenApiSchema { Type = JsonSchemaType.String },
    };

    private static OpenApiResponse Error(OpenApiDocument document, string description, (string Name, string Description)? header = null) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType>(StringComparer.Ordinal)
        {
            ["application/json"] = new OpenApiMediaType { Schema = new OpenApiSchemaReference(PersistedFolderSchemas.Error, document) },
        },
        Headers = header is { } named
            ? new Dictionary<string, IOpenApiHeader>(StringComparer.Ordinal)
            {
                [named.Name] = new OpenApiHeader { Description = named.Description, Schema = new OpenApiSchema { Type = JsonSchemaType.String } },
            }
            : null,
    };
}
