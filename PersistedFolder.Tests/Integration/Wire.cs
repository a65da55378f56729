using System.Text.Json;
using System.Text.RegularExpressions;

namespace PersistedFolder.Tests.Integration;

/// <summary>A folder as the API writes it; timestamps are kept as the exact text on the wire.</summary>
public sealed record FolderBody(Guid Id, string Type, string Protocol, string Path, string CreatedAt, string UpdatedAt);

/// <summary>A limit/offset page as the API writes it.</summary>
public sealed record PageBody(int Count, string? Next, string? Previous, IReadOnlyList<FolderBody> Results);

/// <summary>The API's one error body.</summary>
public sealed record ErrorBody(string Type, string Code, string Detail, string? Attr);

/// <summary>Reading response bodies as the contract (SPEC §5–§7) describes them.</summary>
public static partial class Wire
{
    public static readonly IReadOnlyList<string> FolderKeys = ["id", "type", "protocol", "path", "created_at", "updated_at"];
    public static readonly IReadOnlyList<string> PageKeys = ["count", "next", "previous", "results"];
    public static readonly IReadOnlyList<string> ErrorKeys = ["type", "code", "detail", "attr"];

    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
    };

    public static T Parse<T>(string json) => JsonSerializer.Deserialize<T>(json, Options)
        ?? throw new AssertionException($"Expected a {typeof(T).Name}, got: {json}");

    public static async Task<FolderBody> ReadFolderAsync(HttpResponseMessage response) => Parse<FolderBody>(await response.Content.ReadAsStringAsync());

    public static async Task<PageBody> ReadPageAsync(HttpResponseMessage response) => Parse<PageBody>(await response.Content.ReadAsStringAsync());

    public static async Task<ErrorBody> ReadErrorAsync(HttpResponseMessage response) => Parse<ErrorBody>(await response.Content.ReadAsStringAsync());

    /// <summary>The top-level property names of a JSON object, in the order written.</summary>
    public static IReadOnlyList<string> KeysOf(string json)
    {
        using var document = JsonDocument.Parse(json);
        return [.. document.RootElement.EnumerateObject().Select(p => p.Name)];
    }

    /// <summary>ISO-8601 UTC with exactly six fractional digits and <c>Z</c>.</summary>
    public static bool IsTimestamp(string value) => TimestampPattern().IsMatch(value);

    /// <summary>A header's raw value, wherever HttpClient filed it (<c>Allow</c> is a content header).</summary>
    public static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.NonValidated.TryGetValues(name, out var values) || response.Content.Headers.NonValidated.TryGetValues(name, out values)
            ? values.ToString()
            : null;

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")]
    private static partial Regex TimestampPattern();
}
