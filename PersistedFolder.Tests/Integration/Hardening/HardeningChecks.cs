using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace PersistedFolder.Tests.Integration.Hardening;

/// <summary>
/// The invariants every response of the batteries must keep, whatever the request: never a 5xx
/// (the database is up), <c>nosniff</c>, no stack trace or exception text, and every error in the
/// one shape of SPEC §6 with the type its status calls for.
/// </summary>
public static class HardeningChecks
{
    private static readonly string[] ErrorTypes = ["authentication_error", "validation_error", "invalid_request", "throttled_error", "server_error"];

    // Text that only an exception or a stack trace would put in a body.
    private static readonly string[] Internals = ["Exception", "   at ", "StackTrace", "Npgsql", "PersistedFolder.", "System."];

    /// <summary>What is wrong with this response (empty when nothing is).</summary>
    public static IReadOnlyList<string> Violations(HttpMethod method, HttpResponseMessage response, string body)
    {
        var problems = new List<string>();
        var status = (int)response.StatusCode;
        if (status >= 500)
        {
            problems.Add($"status {status}");
        }

        if (Wire.Header(response, "X-Content-Type-Options") != "nosniff")
        {
            problems.Add("no X-Content-Type-Options: nosniff");
        }

        foreach (var internals in Internals.Where(i => body.Contains(i, StringComparison.Ordinal)))
        {
            problems.Add($"body carries internals ('{internals}')");
        }

        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (status == 204)
        {
            if (body.Length > 0 || mediaType is not null)
            {
                problems.Add("204 with a body or a Content-Type");
            }

            return problems;
        }

        if (mediaType != "application/json")
        {
            problems.Add($"Content-Type '{mediaType}' is not application/json");
        }

        // The in-memory server keeps HEAD bodies (Kestrel drops them); an empty one is fine too.
        if (body.Length == 0 && method == HttpMethod.Head)
        {
            return problems;
        }

        if (status >= 400)
        {
            problems.AddRange(ErrorBodyViolations(status, body));
            if (status == 401 && Wire.Header(response, "WWW-Authenticate") != "Bearer")
            {
                problems.Add("401 without WWW-Authenticate: Bearer");
            }

            if (status == 405 && string.IsNullOrEmpty(Wire.Header(response, "Allow")))
            {
                problems.Add("405 without Allow");
            }

            if (status is 429 or 503 && string.IsNullOrEmpty(Wire.Header(response, "Retry-After")))
            {
                problems.Add($"{status} without Retry-After");
            }
        }
        else if (!IsJsonObject(body))
        {
            problems.Add("success body is not a JSON object");
        }

        return problems;
    }

    /// <summary>The error body is exactly <c>{"type","code","detail","attr"}</c> and its type fits the status.</summary>
    public static IReadOnlyList<string> ErrorBodyViolations(int status, string body)
    {
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(body);
            root = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return [$"error body is not JSON: {Shorten(body)}"];
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            return [$"error body is not an object: {Shorten(body)}"];
        }

        var problems = new List<string>();
        var keys = root.EnumerateObject().Select(p => p.Name).ToList();
        if (!keys.SequenceEqual(Wire.ErrorKeys))
        {
            problems.Add($"error keys [{string.Join(",", keys)}]: {Shorten(body)}");
            return problems;
        }

        foreach (var name in new[] { "type", "code", "detail" })
        {
            if (root.GetProperty(name) is not { ValueKind: JsonValueKind.String } value || value.GetString() is not { Length: > 0 })
            {
                problems.Add($"'{name}' is not a non-empty string: {Shorten(body)}");
            }
        }

        if (root.GetProperty("attr").ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
        {
            problems.Add($"'attr' is neither a string nor null: {Shorten(body)}");
        }

        var type = root.GetProperty("type").ValueKind == JsonValueKind.String ? root.GetProperty("type").GetString() : null;
        var expected = status switch
        {
            401 or 403 => ["authentication_error"],
            400 => ["validation_error", "invalid_request"],
            429 => ["throttled_error"],
            >= 500 => ["server_error"],
            _ => new[] { "invalid_request" },
        };
        if (!ErrorTypes.Contains(type) || !expected.Contains(type))
        {
            problems.Add($"type '{type}' does not fit status {status}");
        }

        return problems;
    }

    /// <summary>The folder table's fingerprint: equal before and after means byte-for-byte unchanged.</summary>
    public static Task<string?> FolderTableChecksumAsync() =>
        IntegrationDatabase.ScalarAsync<string?>("SELECT md5(string_agg(t::text, ',' ORDER BY id)) FROM persisted_folder t");

    /// <summary>Rows sharing one (team, user, type, surface) key: none may exist.</summary>
    public static Task<long> DuplicateKeysAsync() =>
        IntegrationDatabase.ScalarAsync<long>("""
            SELECT count(*) FROM (
                SELECT 1 FROM persisted_folder
                GROUP BY team_id, user_id, type, COALESCE(surface, 'web')
                HAVING count(*) > 1
            ) duplicated
            """);

    /// <summary><c>{ 200: 12, 404: 3 }</c>, by status.</summary>
    public static string Histogram(IEnumerable<int> statuses) =>
        "{ " + string.Join(", ", statuses.GroupBy(s => s).OrderBy(g => g.Key).Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Key}: {g.Count()}"))) + " }";

    public static string Shorten(string text, int length = 300) =>
        text.Length <= length ? text : string.Concat(text.AsSpan(0, length), "…");

    /// <summary>A request as one line for a failure message.</summary>
    public static string Describe(HttpMethod method, string url, string what)
    {
        var line = new StringBuilder().Append(method.Method).Append(' ').Append(Shorten(url, 160));
        if (what.Length > 0)
        {
            line.Append(" [").Append(what).Append(']');
        }

        return line.ToString();
    }

    public static bool IsSuccess(HttpStatusCode status) => (int)status is >= 200 and < 300;

    private static bool IsJsonObject(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
