using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;

namespace PersistedFolder.Tests.Integration.Hosting.Monolith;

/// <summary>
/// One request to the monolith's own endpoints and what the monolith means to answer when it runs
/// alone (<see cref="ExpectedStatus"/> and <see cref="Check"/>): its own JWT users, versions, bodies,
/// limits, errors, health, OpenAPI document, CORS and forwarded headers. The differential suite
/// sends them all, in this order, to each variant.
/// </summary>
public sealed record HostCase(string Name, Func<HttpRequestMessage> Request, int ExpectedStatus, Action<HostAnswer>? Check = null)
{
    public override string ToString() => Name;
}

/// <summary>
/// A normalised answer: status, the headers that matter (all but <c>Date</c>, <c>Content-Length</c>
/// and the request id), the body with trace ids and the port normalised, and the log entries the
/// request made (category and event id, in order).
/// </summary>
public sealed partial record HostAnswer(string Case, int Status, string Headers, string Body, string Logs)
{
    private static readonly HashSet<string> VolatileHeaders = new(StringComparer.OrdinalIgnoreCase) { "Date", "Content-Length", MonolithProgram.RequestIdHeader };

    public override string ToString() => $"{Case}: {Status}\n{Headers}\n{Body}\nlogs: {Logs}";

    public static async Task<(string RequestId, int Status, string Headers, string Body)> ReadAsync(HttpResponseMessage response)
    {
        var headers = response.Headers.Concat(response.Content.Headers)
            .Where(header => !VolatileHeaders.Contains(header.Key))
            .Select(header => $"{header.Key.ToLowerInvariant()}: {string.Join(", ", header.Value)}")
            .Order(StringComparer.Ordinal);
        var body = await response.Content.ReadAsStringAsync();
        body = TraceId().Replace(body, "\"traceId\":\"<trace>\"");
        body = LoopbackPort().Replace(body, "127.0.0.1:<port>");
        var requestId = response.Headers.TryGetValues(MonolithProgram.RequestIdHeader, out var ids) ? ids.Single() : string.Empty;
        return (requestId, (int)response.StatusCode, string.Join('\n', headers), body);
    }

    [GeneratedRegex("\"traceId\":\"[^\"]*\"")]
    private static partial Regex TraceId();

    [GeneratedRegex(@"127\.0\.0\.1:\d+")]
    private static partial Regex LoopbackPort();
}

public static class HostCases
{
    private const string ForeignOrigin = "https://evil.example";

    private static readonly string Viewer = MonolithTokens.Mint("grace", "grace@monolith.test");
    private static readonly string Editor = MonolithTokens.Mint("ada", "ada@monolith.test", role: "editor");
    private static readonly string Forged = MonolithTokens.Mint("mallory", signingKey: Convert.ToBase64String(new byte[32]));

    /// <summary>Every case, in the order they are sent; the rate-limited ones rely on it.</summary>
    public static IReadOnlyList<HostCase> All { get; } =
    [
        new("notes v1 as a JWT user", () => Get("/api/v1/notes", Viewer), 200,
            a => Assert.That(a.Body, Is.EqualTo("""[{"id":1,"title":"Quarterly plan","createdBy":"ada"},{"id":2,"title":"Release notes","createdBy":"grace"}]"""))),
        new("notes v1 without a token", () => Get("/api/v1/notes"), 401,
            a => Assert.That(a.Headers, Does.Contain("www-authenticate: Bearer").And.Contain("x-monolith-authorization: challenged"))),
        new("notes v1 with a forged token", () => Get("/api/v1/notes", Forged), 401,
            a => Assert.That(a.Headers, Does.Contain("www-authenticate: Bearer error=\"invalid_token\""))),
        new("notes v1 with a personal API key as bearer", () => Get("/api/v1/notes", "phx_" + new string('a', 40)), 401),
        new("notes v1 with a personal API key in the query", () => Get("/api/v1/notes?personal_api_key=phx_" + new string('a', 40)), 401),
        new("create note as a viewer", () => Send(HttpMethod.Post, "/api/v1/notes", Viewer, Json("""{"title":"Not mine"}""")), 403,
            a => Assert.That(a.Headers, Does.Contain("x-monolith-authorization: forbidden"))),
        new("create note as an editor", () => Send(HttpMethod.Post, "/api/v1/notes", Editor, Json("""{"title":"Board minutes"}""")), 201,
            a =>
            {
                Assert.That(a.Body, Is.EqualTo("""{"id":3,"title":"Board minutes","createdBy":"ada"}"""));
                Assert.That(a.Headers, Does.Contain("location: /api/v1/notes/3"));
            }),
        new("create note without a title", () => Send(HttpMethod.Post, "/api/v1/notes", Editor, Json("{}")), 400,
            a => Assert.That(a.Body, Does.Contain("\"errors\":{\"Title\"").And.Contain("\"service\":\"monolith\""))),
        new("note 1 v1", () => Get("/api/v1/notes/1", Viewer), 200,
            a => Assert.That(a.Body, Is.EqualTo("""{"id":1,"title":"Quarterly plan","createdBy":"ada"}"""))),
        new("note 99 is the host's 404", () => Get("/api/v1/notes/99", Viewer), 404,
            a => Assert.That(a.Body, Does.Contain("\"status\":404").And.Contain("\"service\":\"monolith\""))),
        new("notes v2 page", () => Get("/api/v2/notes", Viewer), 200,
            a =>
            {
                Assert.That(a.Body, Does.StartWith("""{"items":[{"id":1,""").And.EndWith("""],"totalCount":3}"""));
                Assert.That(a.Headers, Does.Contain("api-supported-versions: 1.0, 2.0"));
            }),
        new("notes in an unsupported version", () => Get("/api/v3/notes", Viewer), 404),
        new("who am I", () => Get("/api/v1/notes/me", Editor), 200,
            a => Assert.That(a.Body, Is.EqualTo("""{"subject":"ada","emailAddress":"ada@monolith.test","isEditor":true}"""))),
        new("EF Core talks to the monolith's database", () => Get("/api/v1/notes/database", Viewer), 200,
            a => Assert.That(a.Body, Is.EqualTo($$"""{"currentDatabase":"{{MonolithDatabase.Name}}"}"""))),
        new("PUT on notes is 405", () => Send(HttpMethod.Put, "/api/v1/notes", Viewer, Json("{}")), 405,
            a => Assert.That(a.Headers, Does.Contain("allow: GET, POST"))),
        new("unknown path under /api/", () => Get("/api/v1/nothing-here", Viewer), 404),
        new("unknown path under /api/ without a version", () => Get("/api/nothing-here/"), 404),
        new("unknown path elsewhere", () => Get("/nowhere"), 404),
        new("DELETE on a minimal API is 405", () => Send(HttpMethod.Delete, "/hello"), 405, a => Assert.That(a.Headers, Does.Contain("allow: GET"))),
        new("minimal API", () => Get("/hello"), 200,
            a => Assert.That(a.Body, Is.EqualTo("""{"message":"Hello from the monolith","servedBy":"minimal api"}"""))),
        new("unversioned controller", () => Get("/api/feedback"), 200,
            a => Assert.That(a.Body, Is.EqualTo("""{"queueState":"open","acceptsForms":true}"""))),
        new("unversioned controller with ?api-version=", () => Get("/api/feedback?api-version=2.0"), 200,
            a => Assert.That(a.Body, Is.EqualTo("""{"queueState":"open","acceptsForms":true}"""))),
        new("JSON POST", () => Send(HttpMethod.Post, "/api/feedback", null, Json("""{"message":"Lovely","rating":5}""")), 201,
            a => Assert.That(a.Body, Is.EqualTo("""{"number":1,"message":"Lovely","rating":5,"receivedAs":"json"}"""))),
        new("form POST", () => Send(HttpMethod.Post, "/api/feedback/form", null, new FormUrlEncodedContent([new("message", "Fine"), new("rating", "4")])), 201,
            a => Assert.That(a.Body, Is.EqualTo("""{"number":2,"message":"Fine","rating":4,"receivedAs":"form"}"""))),
        new("JSON POST with a rating out of range", () => Send(HttpMethod.Post, "/api/feedback", null, Json("""{"message":"Wow","rating":9}""")), 400,
            a => Assert.That(a.Body, Does.Contain("\"errors\":{\"Rating\"").And.Contain("\"service\":\"monolith\""))),
        new("exception is the host's problem details", () => Get("/api/feedback/boom"), 500,
            a => Assert.That(a.Body, Does.StartWith("""{"type":"https://tools.ietf.org/html/rfc9110#section-15.6.1","title":"An error occurred while processing your request.","status":500""")
                .And.Contain("\"service\":\"monolith\""))),
        new("X-Forwarded-For from the loopback proxy", () => Get("/api/feedback/client", headers: [("X-Forwarded-For", "203.0.113.7"), ("X-Forwarded-Proto", "https")]), 200,
            a => Assert.That(a.Body, Is.EqualTo("""{"remoteIpAddress":"203.0.113.7","requestScheme":"https"}"""))),
        new("trial tenant, request 1", () => Get("/api/feedback", headers: [(MonolithProgram.TenantHeader, MonolithProgram.TrialTenant)]), 200),
        new("trial tenant, request 2", () => Get("/api/feedback", headers: [(MonolithProgram.TenantHeader, MonolithProgram.TrialTenant)]), 200),
        new("trial tenant, request 3 is the global limiter's 429", () => Get("/api/feedback", headers: [(MonolithProgram.TenantHeader, MonolithProgram.TrialTenant)]), 429,
            a =>
            {
                Assert.That(a.Body, Is.EqualTo("""{"errorCode":"monolith_quota","detail":"Too many requests for this plan."}"""));
                Assert.That(a.Headers, Does.Contain("retry-after: 3600"));
            }),
        new("report 1", () => Get("/api/v1/reports", Viewer), 200, a => Assert.That(a.Body, Is.EqualTo("""{"reportName":"notes","noteCount":3}"""))),
        new("report 2", () => Get("/api/v1/reports", Viewer), 200),
        new("report 3 is the named policy's 429", () => Get("/api/v1/reports", Viewer), 429,
            a => Assert.That(a.Body, Is.EqualTo("""{"errorCode":"monolith_quota","detail":"Too many requests for this plan."}"""))),
        new("health", () => Get("/health"), 200, a => Assert.That(a.Body, Is.EqualTo("Healthy"))),
        new("health check named database is the host's", () => Get("/health/database"), 200,
            a => Assert.That(a.Body, Is.EqualTo($$"""{"overallStatus":"Healthy","entries":[{"checkName":"database","status":"Healthy","description":"{{MonolithDatabase.Name}}"}]}"""))),
        new("OpenAPI document v1", () => Get("/openapi/v1.json"), 200,
            a => Assert.That(a.Body, Does.Contain("/api/v{version}/notes").And.Contain("/api/feedback").And.Not.Contain("persisted_folder"))),
        new("CORS preflight from the SPA", () => Preflight("/api/v1/notes", MonolithProgram.SpaOrigin), 204,
            a => Assert.That(a.Headers, Does.Contain($"access-control-allow-origin: {MonolithProgram.SpaOrigin}").And.Contain("access-control-allow-methods: GET"))),
        new("CORS preflight from a foreign origin", () => Preflight("/api/v1/notes", ForeignOrigin), 204,
            a => Assert.That(a.Headers, Does.Not.Contain("access-control-allow-origin"))),
        new("CORS GET from the SPA", () => Get("/api/v1/notes", Viewer, [("Origin", MonolithProgram.SpaOrigin)]), 200,
            a => Assert.That(a.Headers, Does.Contain($"access-control-allow-origin: {MonolithProgram.SpaOrigin}").And.Contain($"access-control-expose-headers: {MonolithProgram.RequestIdHeader}"))),
        new("CORS GET from a foreign origin", () => Get("/api/feedback", headers: [("Origin", ForeignOrigin)]), 200,
            a => Assert.That(a.Headers, Does.Not.Contain("access-control-allow-origin"))),
    ];

    private static HttpRequestMessage Get(string path, string? token = null, (string Name, string Value)[]? headers = null) =>
        Send(HttpMethod.Get, path, token, null, headers);

    private static HttpRequestMessage Send(HttpMethod method, string path, string? token = null, HttpContent? content = null, (string Name, string Value)[]? headers = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        foreach (var (name, value) in headers ?? [])
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return request;
    }

    private static HttpRequestMessage Preflight(string path, string origin) =>
        Send(HttpMethod.Options, path, headers: [("Origin", origin), ("Access-Control-Request-Method", "GET"), ("Access-Control-Request-Headers", "authorization")]);

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
