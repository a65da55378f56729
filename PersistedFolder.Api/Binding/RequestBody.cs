using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using PersistedFolder.Api.Errors;
using PersistedFolder.Core.Folders;

namespace PersistedFolder.Api.Binding;

/// <summary>
/// A request body read once and parsed as DRF's JSON, form and multipart parsers would: its fields,
/// or the problem that stopped the parse. Authentication (for a <c>personal_api_key</c> field) and
/// model binding share it through the request's features.
/// </summary>
public sealed class RequestBody
{
    public static RequestBody Empty { get; } = new(new Dictionary<string, FieldValue>(), null);

    private RequestBody(IReadOnlyDictionary<string, FieldValue> fields, ApiProblem? problem)
    {
        Fields = fields;
        Problem = problem;
    }

    public IReadOnlyDictionary<string, FieldValue> Fields { get; }

    /// <summary>Why the body could not be read as a dictionary of fields, or null.</summary>
    public ApiProblem? Problem { get; }

    public FieldValue this[string name] => Fields.TryGetValue(name, out var value) ? value : FieldValue.Missing;

    public static RequestBody Failed(ApiProblem problem) => new(new Dictionary<string, FieldValue>(), problem);

    public static RequestBody Of(IReadOnlyDictionary<string, FieldValue> fields) => new(fields, null);
}

/// <summary>Options of the request body: <c>PersistedFolder:MaxRequestBodyBytes</c> (default 1 MiB).</summary>
public sealed class RequestBodyOptions
{
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;
}

public sealed class RequestBodyReader(IOptions<RequestBodyOptions> options)
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64 };

    /// <summary>The parsed body of this request, read on first use.</summary>
    public async ValueTask<RequestBody> ReadAsync(HttpContext context)
    {
        if (context.Features.Get<RequestBody>() is { } cached)
        {
            return cached;
        }

        var body = await ParseAsync(context);
        context.Features.Set(body);
        return body;
    }

    private async Task<RequestBody> ParseAsync(HttpContext context)
    {
        var request = context.Request;
        var limit = options.Value.MaxRequestBodyBytes;
        if (request.ContentLength > limit)
        {
            return RequestBody.Failed(ApiProblems.RequestTooLarge(limit));
        }

        // As DRF: no body, or no Content-Type, is an empty dictionary whatever the media type.
        var hasBody = request.ContentLength > 0 || (request.ContentLength is null && context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true);
        if (!hasBody || string.IsNullOrEmpty(request.ContentType))
        {
            return RequestBody.Empty;
        }

        var mediaType = request.ContentType.Split(';', 2)[0].Trim();
        var isJson = mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase);
        var isForm = request.HasFormContentType;
        if (!isJson && !isForm)
        {
            return RequestBody.Failed(ApiProblems.UnsupportedMediaType(request.ContentType));
        }

        byte[]? bytes;
        try
        {
            bytes = await ReadBoundedAsync(request, limit, context.RequestAborted);
        }
        catch (BadHttpRequestException exception) when (exception.StatusCode == StatusCodes.Status408RequestTimeout)
        {
            // Kestrel's minimum body data rate: answered 408 in the API's shape. A body cut short by
            // a closed connection goes on up as the client abort it is (ClientFaults).
            return RequestBody.Failed(ApiProblems.RequestTimeout);
        }

        if (bytes is null)
        {
            return RequestBody.Failed(ApiProblems.RequestTooLarge(limit));
        }

        if (bytes.Length == 0)
        {
            return RequestBody.Empty;
        }

        return isJson ? ParseJson(bytes) : await ParseFormAsync(request, bytes, context.RequestAborted);
    }

    private static async Task<byte[]?> ReadBoundedAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(request.ContentLength is { } length ? (int)Math.Max(1, length) : 4096);
        try
        {
            while (true)
            {
                var memory = buffer.GetMemory(4096);
                var read = await request.Body.ReadAsync(memory, cancellationToken);
                if (read == 0)
                {
                    return buffer.WrittenSpan.ToArray();
                }

                buffer.Advance(read);
                if (buffer.WrittenCount > limit)
                {
                    return null;
                }
            }
        }
        catch (BadHttpRequestException exception) when (exception.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return null;
        }
    }

    private static RequestBody ParseJson(byte[] bytes)
    {
        try
        {
            using var document = JsonDocument.Parse(bytes, DocumentOptions);
            var root = document.RootElement;
            return root.ValueKind switch
            {
                JsonValueKind.Object => RequestBody.Of(ReadObject(root)),
                JsonValueKind.Null => RequestBody.Failed(ApiProblems.Validation("null", "This field may not be null.", null)),
                _ => RequestBody.Failed(ApiProblems.Validation(
                    "invalid_input", $"Invalid data. Expected a dictionary, but got {PythonTypeName(root)}.", null)),
            };
        }
        catch (JsonException exception)
        {
            return RequestBody.Failed(ApiProblems.ParseError($"JSON parse error - {exception.Message}"));
        }
        catch (InvalidOperationException exception)
        {
            // An escaped lone surrogate cannot be read as text.
            return RequestBody.Failed(ApiProblems.ParseError($"JSON parse error - {exception.Message}"));
        }
    }

    private static Dictionary<string, FieldValue> ReadObject(JsonElement root)
    {
        // A repeated key keeps its last value, as Python's json module does.
        var fields = new Dictionary<string, FieldValue>(StringComparer.Ordinal);
        foreach (var property in root.EnumerateObject())
        {
            fields[property.Name] = property.Value.ValueKind switch
            {
                JsonValueKind.String => FieldValue.Of(property.Value.GetString()!),
                JsonValueKind.Number => FieldValue.Of(property.Value.GetRawText()),
                JsonValueKind.Null => FieldValue.Null,
                _ => new FieldValue(FieldKind.NotText, property.Value.GetRawText()),
            };
        }

        return fields;
    }

    private static string PythonTypeName(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Array => "list",
        JsonValueKind.String => "str",
        JsonValueKind.True or JsonValueKind.False => "bool",
        JsonValueKind.Number => element.TryGetInt64(out _) ? "int" : "float",
        _ => "object",
    };

    private static async Task<RequestBody> ParseFormAsync(HttpRequest request, byte[] bytes, CancellationToken cancellationToken)
    {
        if (!request.ContentType!.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase))
        {
            // ASP.NET's FormReader refuses control characters outright; Django decodes them, and
            // a NUL then gets the field-level null_characters_not_allowed error, so parse as a query.
            var query = QueryHelpers.ParseQuery(Encoding.UTF8.GetString(bytes));
            return RequestBody.Of(query.ToDictionary(pair => pair.Key, pair => FieldValue.Of(pair.Value.Count == 0 ? string.Empty : pair.Value[^1] ?? string.Empty), StringComparer.Ordinal));
        }

        // The form feature parses from the buffered bytes; the limit was enforced above.
        request.Body = new MemoryStream(bytes, writable: false);
        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is InvalidDataException or InvalidOperationException or IOException)
        {
            return RequestBody.Failed(ApiProblems.ParseError($"Multipart form parse error - {exception.Message}"));
        }

        var fields = new Dictionary<string, FieldValue>(StringComparer.Ordinal);
        foreach (var (name, values) in form)
        {
            // A repeated field keeps its last value, as Django's QueryDict.get does.
            fields[name] = FieldValue.Of(values.Count == 0 ? string.Empty : values[^1] ?? string.Empty);
        }

        foreach (var file in form.Files)
        {
            fields[file.Name] = new FieldValue(FieldKind.NotText, file.FileName);
        }

        return RequestBody.Of(fields);
    }
}
