using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;

namespace PersistedFolder.Tests.Integration.Hardening;

/// <summary>
/// Issue 11's lock storm: a folder row is held by another transaction (<c>SELECT … FOR UPDATE</c>)
/// while 150 PATCHes of it arrive at once. Each gets the documented answer — 409 <c>conflict</c>
/// when its <c>lock_timeout</c> (1 s) ran out, or 429 <c>throttled</c> when its user already had
/// the most operations running and queued — with <c>Retry-After</c>, within a generous bound;
/// nothing is written; and another user's list, retrieve and create during the storm all succeed,
/// because one user holds at most <c>MaxConcurrentPerUser</c> pooled connections.
/// </summary>
public sealed class LockStormTests : ApiFixture
{
    private const int Patches = 150;
    private static readonly TimeSpan AnswerBound = TimeSpan.FromSeconds(15);

    private readonly CapturedLogs logs = new();

    protected override PersistedFolderApiFactory CreateFactory() => new(
        new Dictionary<string, string?>
        {
            ["PersistedFolder:RateLimits:PerMinute"] = "1000000",
            ["PersistedFolder:RateLimits:PerHour"] = "1000000",
        },
        services => logs.AddTo(services, LogLevel.Warning));

    [Test]
    public async Task Patches_of_a_locked_row_get_409_or_429_quickly_write_nothing_and_leave_other_users_served()
    {
        var hot = await CreateActorAsync();
        var other = await CreateActorAsync();
        var folder = await ExpectAsync(
            await SendAsync(HttpMethod.Post, Routes.Collection(Routes.Web, hot.ProjectId), hot.Key, Json("""{"type":"home","path":"before"}""")),
            HttpStatusCode.Created,
            Wire.ReadFolderAsync);
        var othersFolder = await ExpectAsync(
            await SendAsync(HttpMethod.Post, Routes.Collection(Routes.Web, other.ProjectId), other.Key, Json("""{"type":"home","path":"mine"}""")),
            HttpStatusCode.Created,
            Wire.ReadFolderAsync);
        var before = await HardeningChecks.FolderTableChecksumAsync();

        await using var locker = await IntegrationDatabase.DataSource.OpenConnectionAsync();
        await using var transaction = await locker.BeginTransactionAsync();
        await using (var lockRow = locker.CreateCommand())
        {
            lockRow.CommandText = "SELECT id FROM persisted_folder WHERE id = @id FOR UPDATE";
            lockRow.Parameters.AddWithValue("id", folder.Id);
            await lockRow.ExecuteScalarAsync();
        }

        var answers = new ConcurrentBag<(int Status, string Code, string? RetryAfter, double Ms, string Violation)>();
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var storm = Enumerable.Range(0, Patches).Select(n => Task.Run(async () =>
        {
            await start.Task;
            var started = Stopwatch.GetTimestamp();
            var response = await SendAsync(HttpMethod.Patch, Routes.Item(Routes.Web, hot.ProjectId, folder.Id), hot.Key, Json($$"""{"path":"storm {{n}}"}"""));
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            var body = await response.Content.ReadAsStringAsync();
            var violations = HardeningChecks.Violations(HttpMethod.Patch, response, body);
            var violation = violations.Count > 0 ? violations[0] : string.Empty;
            var code = (int)response.StatusCode >= 400 ? Wire.Parse<ErrorBody>(body).Code : string.Empty;
            answers.Add(((int)response.StatusCode, code, Wire.Header(response, "Retry-After"), elapsed, violation));
        })).ToList();

        // Another user, one request at a time, for as long as the storm lasts.
        var othersAnswers = new List<(string Operation, int Status, double Ms)>();
        start.SetResult();
        var whole = Stopwatch.StartNew();
        var stormDone = Task.WhenAll(storm);
        for (var n = 0; !stormDone.IsCompleted || n < 6; n++)
        {
            var (operation, method, url, content) = (n % 3) switch
            {
                0 => ("list", HttpMethod.Get, Routes.Collection(Routes.Web, other.ProjectId), (HttpContent?)null),
                1 => ("retrieve", HttpMethod.Get, Routes.Item(Routes.Web, other.ProjectId, othersFolder.Id), null),
                _ => ("create", HttpMethod.Post, Routes.Collection(Routes.Web, other.ProjectId), Json($$"""{"type":"pinned","path":"during {{n}}"}""")),
            };
            var started = Stopwatch.GetTimestamp();
            var response = await SendAsync(method, url, other.Key, content);
            othersAnswers.Add((operation, (int)response.StatusCode, Stopwatch.GetElapsedTime(started).TotalMilliseconds));
        }

        await stormDone;
        var stormTook = whole.Elapsed;
        var duringLock = await IntegrationDatabase.ScalarAsync<string>("SELECT path FROM persisted_folder WHERE id = @id", ("id", folder.Id));
        await transaction.RollbackAsync();
        var hotRowAfter = await ExpectAsync(await SendAsync(HttpMethod.Get, Routes.Item(Routes.Web, hot.ProjectId, folder.Id), hot.Key), HttpStatusCode.OK, Wire.ReadFolderAsync);
        var afterTheLock = await SendAsync(HttpMethod.Patch, Routes.Item(Routes.Web, hot.ProjectId, folder.Id), hot.Key, Json("""{"path":"after"}"""));

        var byAnswer = answers.GroupBy(a => $"{a.Status} {a.Code}").OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Key} ×{g.Count()} (slowest {g.Max(a => a.Ms):0} ms)"));
        await TestContext.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"lock storm: {Patches} PATCHes of a row held FOR UPDATE: {string.Join(", ", byAnswer)}; storm over in {stormTook.TotalMilliseconds:0} ms; " +
            $"other user meanwhile: {othersAnswers.Count} requests {HardeningChecks.Histogram(othersAnswers.Select(a => a.Status))}, slowest {othersAnswers.Max(a => a.Ms):0} ms; " +
            $"row unchanged: {hotRowAfter.Path == "before"}; PATCH after the lock: {(int)afterTheLock.StatusCode}; {logs.Entries.Count} warnings logged"));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(answers.Select(a => $"{a.Status} {a.Code}"), Is.All.AnyOf("409 conflict", "429 throttled"), string.Join("\n", logs.Entries.Take(5)));
            Assert.That(answers.Count(a => a.Status == 409), Is.GreaterThan(0), "some PATCHes met the lock timeout");
            Assert.That(answers.Select(a => a.RetryAfter), Is.All.EqualTo("1"));
            Assert.That(answers.Select(a => a.Violation).Where(v => v.Length > 0), Is.Empty);
            Assert.That(answers.Max(a => a.Ms), Is.LessThan(AnswerBound.TotalMilliseconds), "every PATCH answered within the bound");
            Assert.That(othersAnswers.Select(a => a.Status), Is.All.AnyOf(200, 201), "another user's requests during the storm");
            Assert.That(duringLock, Is.EqualTo("before"));
            Assert.That((hotRowAfter.Path, hotRowAfter.UpdatedAt), Is.EqualTo(("before", folder.UpdatedAt)), "nothing was written");
            Assert.That(afterTheLock.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the row is writable once the lock is gone");
            Assert.That(await HardeningChecks.FolderTableChecksumAsync(), Is.Not.EqualTo(before), "the other user's creates and the last PATCH were written");
            Assert.That(logs.Entries.Where(e => e.Level >= LogLevel.Error), Is.Empty, "no error logged");
        }
    }
}
