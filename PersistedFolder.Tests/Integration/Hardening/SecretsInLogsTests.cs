using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PersistedFolder.Core.Access;
using PersistedFolder.Core.Keys;

namespace PersistedFolder.Tests.Integration.Hardening;

/// <summary>
/// SPEC §11 and issue 3: no key, secure value or Authorization header ever reaches a log. Every log
/// entry of every category is captured, with the configuration opening every category to Trace, while
/// keys travel in the Authorization header, a JSON body field, a form field, a multipart field and
/// the query string: admin-made keys that are valid, read-only, revoked or of a deactivated user,
/// and keys that never existed; on answers of every kind, including a 500 (a failing access
/// source) and a 503 (an unreachable database). No message, structured value, exception text or
/// scope may contain a raw key, its random part, its <c>sha256$…</c> secure value (or the bare
/// hash), or a sent Authorization header value. Run twice: with every category opened to Trace
/// through configuration (what an operator debugging the service may do; the guards the service
/// sets in code stay), and at the levels the service configures.
/// </summary>
[TestFixture(Levels.EveryCategoryAtTrace)]
[TestFixture(Levels.AsConfigured)]
public sealed class SecretsInLogsTests(SecretsInLogsTests.Levels levels) : ApiFixture
{
    public enum Levels
    {
        EveryCategoryAtTrace,
        AsConfigured,
    }

    /// <summary>A project id whose access lookup throws: the unhandled-exception path, with a key in hand.</summary>
    private const long FailingProject = 987_654_321;

    private readonly CapturedLogs logs = new();

    /// <summary>Every category the application's appsettings.json names, and the default, opened to Trace.</summary>
    private static readonly Dictionary<string, string?> EverythingAtTrace = new()
    {
        ["Logging:LogLevel:Default"] = "Trace",
        ["Logging:LogLevel:Microsoft"] = "Trace",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace",
        ["Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics"] = "Trace",
        ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Trace",
        ["Logging:LogLevel:Asp.Versioning"] = "Trace",
        ["Logging:LogLevel:Npgsql"] = "Trace",
        ["Logging:LogLevel:PersistedFolder"] = "Trace",
        ["Logging:LogLevel:PersistedFolder.Api.Authentication.PersonalApiKeyHandler"] = "Trace",
    };

    protected override PersistedFolderApiFactory CreateFactory() => new(settings: levels == Levels.EveryCategoryAtTrace ? EverythingAtTrace : null, configureServices: services =>
    {
        Capture(services);
        var real = services.Last(d => d.ServiceType == typeof(IProjectAccessSource));
        services.Remove(real);
        services.AddSingleton<IProjectAccessSource>(sp => new FailingAccessSource(
            (IProjectAccessSource)ActivatorUtilities.CreateInstance(sp, real.ImplementationType!)));
    });

    [Test]
    public async Task No_log_entry_carries_a_key_its_secure_value_or_the_authorization_header()
    {
        var actor = await CreateActorAsync();
        var readOnly = await CreateKeyAsync(actor.User, ReadOnly);
        var scoped = await CreateKeyAsync(actor.User, ReadWrite, scopedTeams: [actor.ProjectId]);
        var revoked = await CreateKeyAsync(actor.User);
        await Admin.RevokeApiKeyAsync(revoked.Id, CancellationToken.None);
        var inactive = await CreateActorAsync(project: actor.Project);
        await Admin.DeactivateUserAsync(inactive.User.Email, CancellationToken.None);
        string[] keys =
        [
            actor.Key, readOnly.Value, scoped.Value, revoked.Value, inactive.Key, PersonalApiKeys.Generate(), "phx_" + RandomPart(12),
            "not-a-phx-key-" + RandomPart(20),
        ];

        var folder = await ExpectAsync(
            await SendAsync(HttpMethod.Post, Routes.Collection(Routes.Web, actor.ProjectId), actor.Key, Json("""{"type":"home"}""")), HttpStatusCode.Created, Wire.ReadFolderAsync);
        var authorizations = new List<string>();
        var sent = 0;
        foreach (var key in keys)
        {
            foreach (var request in Requests(actor.ProjectId, folder.Id, key))
            {
                if (request.Headers.NonValidated.TryGetValues("Authorization", out var authorization))
                {
                    authorizations.Add(authorization.ToString());
                }

                using (request)
                {
                    (await Client.SendAsync(request)).Dispose();
                }

                sent++;
            }
        }

        sent += await SendToAnUnreachableDatabaseAsync(keys, authorizations);

        // Shutdown logs count too.
        await Factory.DisposeAsync();

        var secrets = Secrets(keys, authorizations);
        var entries = logs.Entries.ToList();
        var leaks = entries
            .SelectMany(entry => secrets.Where(secret => entry.AllText.Contains(secret.Value, StringComparison.Ordinal)).Select(secret => (entry, secret.Name)))
            .ToList();
        var byCategory = leaks.GroupBy(l => $"{l.entry.Category} ({l.entry.Level}, {l.Name})")
            .Select(g => $"{g.Key} ×{g.Count()}: {HardeningChecks.Shorten(g.First().entry.Message, 240)}")
            .ToList();
        var leakingEntries = leaks.Select(l => l.entry).Distinct().Count();

        await TestContext.Out.WriteLineAsync(
            $"logs ({levels}): {sent} requests with {keys.Length} keys in 5 places; {entries.Count} log entries captured from " +
            $"{entries.Select(e => e.Category).Distinct().Count()} categories; {secrets.Count} secrets searched; {leakingEntries} entries leak" +
            (leaks.Count == 0 ? string.Empty : ":\n" + string.Join("\n", byCategory)));

        using (Assert.EnterMultipleScope())
        {
            // The capture saw what it had to see: request lines, debug detail, the 500 and the 503.
            Assert.That(entries.Any(e => e.Category.EndsWith("RequestLogMiddleware", StringComparison.Ordinal)), Is.True, "request log lines captured");
            if (levels == Levels.EveryCategoryAtTrace)
            {
                Assert.That(entries.Any(e => e.Level <= LogLevel.Debug), Is.True, "Debug and Trace entries captured");
            }

            Assert.That(entries.Any(e => e.Level == LogLevel.Error && e.Exception is not null), Is.True, "the unhandled exception was logged");
            Assert.That(entries.Any(e => e.Message.StartsWith("Database unavailable", StringComparison.Ordinal)), Is.True, "the 503 was logged");
            Assert.That(byCategory, Is.Empty, $"{leakingEntries} log entries carry secrets");
        }
    }

    /// <summary>The key in each of the five places, on answers of every kind.</summary>
    private static IEnumerable<HttpRequestMessage> Requests(long project, Guid folder, string key)
    {
        var collection = Routes.Collection(Routes.Web, project);
        var desktop = Routes.Collection(Routes.Desktop, project);
        var item = Routes.Item(Routes.Web, project, folder);
        var escaped = Uri.EscapeDataString(key);
        var jsonKey = System.Text.Json.JsonSerializer.Serialize(key);

        // Authorization header.
        yield return Bearer(HttpMethod.Get, collection, key);
        yield return Bearer(HttpMethod.Post, desktop, key, JsonContent("""{"type":"pinned","path":"from a header"}"""));
        yield return Bearer(HttpMethod.Patch, item, key, JsonContent("""{"path":"patched"}"""));
        yield return Bearer(HttpMethod.Post, collection, key, JsonContent("""{"type":"folder"}"""));
        yield return Bearer(HttpMethod.Delete, collection, key);
        yield return Bearer(HttpMethod.Get, Routes.Collection(Routes.Web, project + 1_000_000), key);
        yield return Bearer(HttpMethod.Get, Routes.Collection(Routes.Web, FailingProject), key);
        yield return Bearer(HttpMethod.Get, "/api/nowhere/", key);
        yield return Raw(HttpMethod.Get, collection, "bearer " + key);
        yield return Raw(HttpMethod.Get, collection, "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(key + ":")));
        yield return Raw(HttpMethod.Get, collection, "Bearer " + key + " trailing");

        // JSON body field.
        yield return Plain(HttpMethod.Post, collection, JsonContent($$"""{"personal_api_key":{{jsonKey}},"type":"custom_products"}"""));
        yield return Plain(HttpMethod.Get, collection, JsonContent($$"""{"personal_api_key":{{jsonKey}}}"""));
        yield return Plain(HttpMethod.Post, collection, JsonContent($$"""{"personal_api_key":{{jsonKey}},"type":"folder"}"""));
        yield return Plain(HttpMethod.Post, Routes.Collection(Routes.Web, FailingProject), JsonContent($$"""{"personal_api_key":{{jsonKey}},"type":"home"}"""));
        yield return Plain(HttpMethod.Post, collection, JsonContent($$"""{"personal_api_key":{{jsonKey}},"type":"""));
        yield return Plain(HttpMethod.Post, collection, JsonContent($$"""{"type":"home","personal_api_key":{{jsonKey}}"""));

        // Form field.
        yield return Plain(HttpMethod.Post, collection, Form($"type=pinned&path=form&personal_api_key={escaped}"));
        yield return Plain(HttpMethod.Put, item, Form($"personal_api_key={escaped}&path=put"));
        yield return Plain(HttpMethod.Post, collection, Form($"personal_api_key={escaped}&type=%FF"));

        // Multipart field.
        var multipart = new MultipartFormDataContent { { new StringContent("home"), "type" }, { new StringContent(key), "personal_api_key" } };
        yield return Plain(HttpMethod.Post, collection, multipart);
        var truncated = new ByteArrayContent(Encoding.UTF8.GetBytes($"--b\r\nContent-Disposition: form-data; name=\"personal_api_key\"\r\n\r\n{key}\r\n--b\r\nContent-Disp"));
        truncated.Headers.TryAddWithoutValidation("Content-Type", "multipart/form-data; boundary=b");
        yield return Plain(HttpMethod.Post, collection, truncated);

        // Query string.
        yield return Plain(HttpMethod.Get, $"{collection}?personal_api_key={escaped}");
        yield return Plain(HttpMethod.Get, $"{collection}?limit=1&personal_api_key={escaped}&offset=x");
        yield return Plain(HttpMethod.Delete, $"{item}?personal_api_key={escaped}");
        yield return Plain(HttpMethod.Get, $"{Routes.Collection(Routes.Web, FailingProject)}?personal_api_key={escaped}");
        yield return Plain(HttpMethod.Get, $"/api/nowhere/?personal_api_key={escaped}");
        yield return Plain(HttpMethod.Get, $"{collection}?personal_api_key={escaped}&api-version=9.0");
    }

    /// <summary>The same keys against an application whose database cannot be reached (the 503 path).</summary>
    private async Task<int> SendToAnUnreachableDatabaseAsync(IEnumerable<string> keys, List<string> authorizations)
    {
        await using var unreachable = new PersistedFolderApiFactory(
            new Dictionary<string, string?>
            {
                ["ConnectionStrings:PersistedFolder"] = "Host=127.0.0.1;Port=1;Username=postgres;Database=unreachable;Timeout=2",
                ["PersistedFolder:MigrateOnStartup"] = "false",
            },
            Capture);
        using var client = unreachable.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var sent = 0;
        foreach (var key in keys)
        {
            var escaped = Uri.EscapeDataString(key);
            var requests = new[]
            {
                Bearer(HttpMethod.Get, Routes.Collection(Routes.Desktop, 1), key),
                Plain(HttpMethod.Post, Routes.Collection(Routes.Web, 1), JsonContent($$"""{"personal_api_key":{{System.Text.Json.JsonSerializer.Serialize(key)}},"type":"home"}""")),
                Plain(HttpMethod.Post, Routes.Collection(Routes.Web, 1), Form($"type=home&personal_api_key={escaped}")),
                Plain(HttpMethod.Get, $"{Routes.Collection(Routes.Web, 1)}?personal_api_key={escaped}"),
            };
            foreach (var request in requests)
            {
                if (request.Headers.NonValidated.TryGetValues("Authorization", out var authorization))
                {
                    authorizations.Add(authorization.ToString());
                }

                using (request)
                {
                    (await client.SendAsync(request)).Dispose();
                }

                sent++;
            }
        }

        await client.GetAsync(new Uri("/_readyz", UriKind.Relative));
        return sent;
    }

    private void Capture(IServiceCollection services) => logs.AddAtConfiguredLevels(services);

    /// <summary>What must never be logged, by kind.</summary>
    private static List<(string Name, string Value)> Secrets(IEnumerable<string> keys, IEnumerable<string> authorizations)
    {
        var secrets = new List<(string, string)>();
        foreach (var key in keys)
        {
            var secure = PersonalApiKeys.SecureValue(key);
            secrets.Add(("raw key", key));
            secrets.Add(("random part of a key", key.StartsWith(PersonalApiKeys.Prefix, StringComparison.Ordinal) ? key[PersonalApiKeys.Prefix.Length..] : key));
            secrets.Add(("secure value", secure));
            secrets.Add(("bare hash", secure["sha256$".Length..]));
            secrets.Add(("URL-escaped key", Uri.EscapeDataString(key)));
        }

        secrets.AddRange(authorizations.Distinct().Select(a => ("Authorization header", a)));
        return secrets;
    }

    private static string RandomPart(int length) =>
        Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(length))[..length];

    private static HttpRequestMessage Bearer(HttpMethod method, string url, string key, HttpContent? content = null)
    {
        var request = Plain(method, url, content);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return request;
    }

    private static HttpRequestMessage Raw(HttpMethod method, string url, string authorization)
    {
        var request = Plain(method, url);
        request.Headers.TryAddWithoutValidation("Authorization", authorization);
        return request;
    }

    private static HttpRequestMessage Plain(HttpMethod method, string url, HttpContent? content = null) =>
        new(method, new Uri(url, UriKind.Relative)) { Content = content };

    private static StringContent JsonContent(string json) => Json(json);

    private static ByteArrayContent Form(string text)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(text));
        content.Headers.TryAddWithoutValidation("Content-Type", "application/x-www-form-urlencoded");
        return content;
    }

    /// <summary>The real access source, except that one project id makes it throw.</summary>
    private sealed class FailingAccessSource(IProjectAccessSource real) : IProjectAccessSource
    {
        public Task<ProjectAccess?> FindAsync(ProjectReference project, long userId, CancellationToken cancellationToken) =>
            project.TeamId == FailingProject
                ? throw new InvalidOperationException("The access source failed (on purpose).")
                : real.FindAsync(project, userId, cancellationToken);
    }
}
