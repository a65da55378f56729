using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace PersistedFolder.Tests.Integration.Hardening;

/// <summary>
/// Issue 3's outage battery, on a PostgreSQL cluster of the fixture's own: a client keeps writing
/// while the database is stopped mid-run (<c>pg_ctl stop -m fast</c>) and started again. While it
/// is down every request that needs it is a 503 <c>service_unavailable</c> with <c>Retry-After</c>,
/// <c>/_readyz</c> is 503 and <c>/_health</c> 200; once it is back the service recovers by itself
/// within 5 s (timed from when <c>pg_ctl start</c> returns, i.e. connections are accepted again),
/// and every acknowledged write is still there.
/// </summary>
public sealed class DatabaseOutageTests : ApiFixture
{
    private static readonly TimeSpan RecoveryBound = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan PollLimit = TimeSpan.FromSeconds(30);
    private static readonly string[] Types = ["home", "pinned", "custom_products"];
    private static readonly string[] WriterRoutes = [Routes.Web, Routes.Desktop];

    private readonly CapturedLogs logs = new();

    // Made in CreateFactory, which the base fixture calls from its [OneTimeSetUp]; disposed in
    // [OneTimeTearDown] below, after the application that uses it.
#pragma warning disable NUnit1032
    private OwnPostgresCluster? cluster;
#pragma warning restore NUnit1032

    private OwnPostgresCluster Cluster => cluster ?? throw new InvalidOperationException("The cluster is not started.");

    protected override PersistedFolderApiFactory CreateFactory()
    {
        OwnPostgresCluster.RequireBinaries();
        cluster = OwnPostgresCluster.Start();
        return new PersistedFolderApiFactory(
            new Dictionary<string, string?>
            {
                ["ConnectionStrings:PersistedFolder"] = cluster.ConnectionString,
                ["PersistedFolder:RateLimits:PerMinute"] = "1000000",
                ["PersistedFolder:RateLimits:PerHour"] = "1000000",
            },
            services => logs.AddTo(services, LogLevel.Warning));
    }

    [OneTimeTearDown]
    public async Task StopTheCluster()
    {
        // The application first (it holds connections to the cluster), then the cluster.
        try
        {
            await Factory.DisposeAsync();
        }
        finally
        {
            cluster?.Dispose();
        }
    }

    [Test]
    public async Task Stopped_database_is_503_with_retry_after_and_its_return_is_recovered_within_5_s_with_no_acknowledged_row_lost()
    {
        var actor = await CreateActorAsync();
        var attempts = new List<Attempt>();
        foreach (var route in WriterRoutes)
        {
            foreach (var type in Types)
            {
                await WriteAsync(actor, route, type, "seed", attempts);
            }
        }

        Assert.That(attempts.Select(a => a.Status), Is.All.EqualTo(201), "the seeding writes");
        var someFolder = attempts[0].Folder!;

        // A client that keeps writing, one request at a time, through the outage and after it.
        using var stopWriting = new CancellationTokenSource();
        var writer = Task.Run(async () =>
        {
            for (var n = 0; n < 5000 && !stopWriting.IsCancellationRequested; n++)
            {
                await WriteAsync(actor, WriterRoutes[n % 2], Types[n / 2 % 3], $"w{n}", attempts);
                await Task.Delay(20);
            }
        });

        await WaitUntilAsync(() => Count(attempts, 201) >= 12, "the writer's first writes");
        Cluster.Stop();

        var latencies = new List<double>();
        var answers = new List<string>();
        foreach (var (method, url, body) in NeedsTheDatabase(actor, someFolder.Id))
        {
            var started = Stopwatch.GetTimestamp();
            var response = await SendAsync(method, url, actor.Key, body is null ? null : Json(body));
            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            answers.Add(await CheckUnavailableAsync(method, url, response));
        }

        var readyWhileDown = await SendAsync(HttpMethod.Get, "/_readyz");
        var healthWhileDown = await SendAsync(HttpMethod.Get, "/_health");
        var anonymousWhileDown = await SendAsync(HttpMethod.Get, Routes.Collection(Routes.Web, actor.ProjectId));
        await WaitUntilAsync(() => Count(attempts, 503) >= 3, "the writer meeting the outage");

        Cluster.StartServer();
        var back = Stopwatch.StartNew();
        var recovered = await PollAsync(async () => (await SendAsync(HttpMethod.Get, Routes.Collection(Routes.Web, actor.ProjectId), actor.Key)).StatusCode == HttpStatusCode.OK);
        var recovery = back.Elapsed;
        var ready = await PollAsync(async () => (await SendAsync(HttpMethod.Get, "/_readyz")).StatusCode == HttpStatusCode.OK);
        var readyAfter = back.Elapsed;
        var writesBeforeResume = Count(attempts, 201);
        await WaitUntilAsync(() => Count(attempts, 201) >= writesBeforeResume + 12, "the writer's writes after the outage");
        await stopWriting.CancelAsync();
        await writer;

        var stored = await StoredRowsAsync();
        var listed = new List<FolderBody>();
        foreach (var route in WriterRoutes)
        {
            listed.AddRange((await ExpectAsync(await SendAsync(HttpMethod.Get, Routes.Collection(route, actor.ProjectId), actor.Key), HttpStatusCode.OK, Wire.ReadPageAsync)).Results);
        }

        var lost = Lost(attempts, stored);
        await TestContext.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"outage: {answers.Count} requests while down, answers {string.Join(", ", answers.Distinct())}, slowest {latencies.Max():0} ms; " +
            $"writer {attempts.Count} writes {HardeningChecks.Histogram(attempts.Select(a => a.Status))}; " +
            $"recovery {recovery.TotalMilliseconds:0} ms after pg_ctl start returned (ready after {readyAfter.TotalMilliseconds:0} ms); " +
            $"rows {stored.Count}, lost {lost.Count}; {logs.Entries.Count} warnings logged"));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(answers, Is.All.EqualTo("503 service_unavailable"));
            Assert.That(readyWhileDown.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), "/_readyz while down");
            Assert.That(healthWhileDown.StatusCode, Is.EqualTo(HttpStatusCode.OK), "/_health while down");
            await AssertNotAuthenticatedAsync(anonymousWhileDown);
            Assert.That(recovered, Is.True, $"no recovery within {PollLimit.TotalSeconds} s");
            Assert.That(recovery, Is.LessThanOrEqualTo(RecoveryBound), "recovery after the database is back");
            Assert.That(ready, Is.True, $"/_readyz not 200 within {PollLimit.TotalSeconds} s");
            Assert.That(attempts.Select(a => a.Status), Is.All.AnyOf(201, 503), "the writer only ever sees 201 or 503");
            Assert.That(Count(attempts, 503), Is.GreaterThanOrEqualTo(3));
            Assert.That(lost, Is.Empty, "acknowledged writes lost");
            Assert.That(stored, Has.Count.EqualTo(WriterRoutes.Length * Types.Length), "one row per type and surface");
            Assert.That(listed.Select(f => f.Id), Is.EquivalentTo(stored.Select(r => r.Id)), "the API lists what is stored");
        }
    }

    private static IEnumerable<(HttpMethod Method, string Url, string? Body)> NeedsTheDatabase(Actor actor, Guid folder)
    {
        foreach (var route in new[] { Routes.Web, Routes.Desktop, Routes.Environments })
        {
            yield return (HttpMethod.Get, Routes.Collection(route, actor.ProjectId), null);
            yield return (HttpMethod.Head, Routes.Collection(route, actor.ProjectId), null);
            yield return (HttpMethod.Options, Routes.Collection(route, actor.ProjectId), null);
            yield return (HttpMethod.Post, Routes.Collection(route, actor.ProjectId), """{"type":"home","path":"during the outage"}""");
            yield return (HttpMethod.Get, Routes.Item(route, actor.ProjectId, folder), null);
            yield return (HttpMethod.Put, Routes.Item(route, actor.ProjectId, folder), """{"type":"home","path":"during the outage"}""");
            yield return (HttpMethod.Patch, Routes.Item(route, actor.ProjectId, folder), """{"path":"during the outage"}""");
            yield return (HttpMethod.Delete, Routes.Item(route, actor.ProjectId, folder), null);
            yield return (HttpMethod.Get, Routes.Collection(route, "@current"), null);
        }
    }

    /// <summary>"503 service_unavailable" when the answer is the contract's, else what is wrong with it.</summary>
    private static async Task<string> CheckUnavailableAsync(HttpMethod method, string url, HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        var where = $"{method} {url} -> {(int)response.StatusCode}";
        if (response.StatusCode != HttpStatusCode.ServiceUnavailable)
        {
            return $"{where}: {HardeningChecks.Shorten(body)}";
        }

        // The 503 itself is the point here; everything else about the response still holds.
        if (HardeningChecks.Violations(method, response, body).Where(v => v != "status 503").ToList() is [var violation, ..])
        {
            return $"{where}: {violation}";
        }

        if (!int.TryParse(Wire.Header(response, "Retry-After"), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds < 1)
        {
            return $"{where}: Retry-After '{Wire.Header(response, "Retry-After")}'";
        }

        if (method == HttpMethod.Head && body.Length == 0)
        {
            return "503 service_unavailable";
        }

        var error = Wire.Parse<ErrorBody>(body);
        return (error.Type, error.Code, error.Attr) == ("server_error", "service_unavailable", null)
            ? "503 service_unavailable"
            : $"{where}: {body}";
    }

    private async Task WriteAsync(Actor actor, string route, string type, string path, List<Attempt> attempts)
    {
        var response = await SendAsync(HttpMethod.Post, Routes.Collection(route, actor.ProjectId), actor.Key, Json($$"""{"type":"{{type}}","path":"{{path}}"}"""));
        var folder = response.StatusCode == HttpStatusCode.Created ? await Wire.ReadFolderAsync(response) : null;
        lock (attempts)
        {
            attempts.Add(new Attempt(route, type, path, (int)response.StatusCode, folder));
        }
    }

    /// <summary>
    /// Acknowledged writes missing from the database: for each key, its last acknowledged write's
    /// folder must be there, with that write's path or the path of a later attempt (one answered
    /// 503 may still have committed).
    /// </summary>
    private static List<string> Lost(List<Attempt> attempts, IReadOnlyList<StoredRow> stored)
    {
        var lost = new List<string>();
        lock (attempts)
        {
            foreach (var key in attempts.GroupBy(a => (a.Route, a.Type)))
            {
                var ordered = key.ToList();
                var last = ordered.FindLastIndex(a => a.Status == 201);
                var acknowledged = ordered[last].Folder!;
                var surface = Routes.StoredSurface(key.Key.Route);
                var row = stored.SingleOrDefault(r => r.Surface == surface && r.Type == key.Key.Type);
                var allowed = ordered.Skip(last).Select(a => a.Path).ToHashSet();
                if (row is null || row.Id != acknowledged.Id || !allowed.Contains(row.Path))
                {
                    lost.Add($"{key.Key}: last acknowledged {acknowledged}, stored {row?.ToString() ?? "nothing"}");
                }
            }
        }

        return lost;
    }

    private async Task<IReadOnlyList<StoredRow>> StoredRowsAsync()
    {
        var connection = new NpgsqlConnectionStringBuilder(Cluster.ConnectionString) { SearchPath = IntegrationDatabase.Schema };
        await using var dataSource = NpgsqlDataSource.Create(connection.ConnectionString);
        await using var command = dataSource.CreateCommand("SELECT id, COALESCE(surface, 'web'), type, path FROM persisted_folder");
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<StoredRow>();
        while (await reader.ReadAsync())
        {
            rows.Add(new StoredRow(reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetString(3)));
        }

        return rows;
    }

    private static int Count(List<Attempt> attempts, int status)
    {
        lock (attempts)
        {
            return attempts.Count(a => a.Status == status);
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        if (!await PollAsync(() => Task.FromResult(condition())))
        {
            Assert.Fail($"Gave up waiting for {what} after {PollLimit.TotalSeconds} s.");
        }
    }

    /// <summary>Polls every 50 ms until true, for at most <see cref="PollLimit"/>.</summary>
    private static async Task<bool> PollAsync(Func<Task<bool>> condition)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < PollLimit)
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(50);
        }

        return false;
    }

    private sealed record Attempt(string Route, string Type, string Path, int Status, FolderBody? Folder);

    private sealed record StoredRow(Guid Id, string Surface, string Type, string Path);
}
