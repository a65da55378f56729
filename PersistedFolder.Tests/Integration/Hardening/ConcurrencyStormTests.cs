using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Logging;

namespace PersistedFolder.Tests.Integration.Hardening;

/// <summary>
/// Issue 3's concurrency battery: 64 clients at once mixing upserts, PATCHes (of path and of
/// type), DELETEs, lists and reads on the same (team, user, type, surface) keys. Afterwards: at
/// most one row per key, no 5xx, and a final state that is consistent with the acknowledged writes:
/// every remaining folder is exactly what one acknowledged write answered (no torn row), that write
/// is not followed in real time by another acknowledged write of the same folder, no acknowledged
/// delete is undone, and a final sequential write is what is read back.
/// </summary>
public sealed class ConcurrencyStormTests : ApiFixture
{
    private const int Seed = 64064;
    private const int Clients = 64;
    private const int OperationsPerClient = 8;
    private static readonly string[] Types = ["home", "pinned"];

    // Warnings say why a request failed, should one fail.
    private readonly CapturedLogs logs = new();

    protected override PersistedFolderApiFactory CreateFactory() => new(
        new Dictionary<string, string?>
        {
            ["PersistedFolder:RateLimits:PerMinute"] = "1000000",
            ["PersistedFolder:RateLimits:PerHour"] = "1000000",
        },
        services => logs.AddTo(services, LogLevel.Warning));

    [TestCase(Routes.Web)]
    [TestCase(Routes.Desktop)]
    public async Task Mixed_concurrent_writes_keep_one_row_per_key_and_end_on_an_acknowledged_write(string route)
    {
        var actor = await CreateActorAsync();
        var collection = Routes.Collection(route, actor.ProjectId);
        var writes = new ConcurrentBag<Acknowledged>();
        var deleted = new ConcurrentBag<(Guid Id, long Sent)>();
        var statuses = new ConcurrentBag<(string Operation, int Status)>();
        var failures = new ConcurrentQueue<string>();
        var known = new ConcurrentDictionary<Guid, byte>();
        var latest = new ConcurrentDictionary<string, Guid>();

        // Start with both types, so the first PATCHes and DELETEs have something to hit.
        foreach (var type in Types)
        {
            var sent = Stopwatch.GetTimestamp();
            var seeded = await ExpectAsync(await SendAsync(HttpMethod.Post, collection, actor.Key, Json($$"""{"type":"{{type}}","path":"seed"}""")), HttpStatusCode.Created, Wire.ReadFolderAsync);
            writes.Add(new Acknowledged(seeded, sent, Stopwatch.GetTimestamp()));
            known[seeded.Id] = 0;
            latest[type] = seeded.Id;
        }

        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var clients = Enumerable.Range(0, Clients).Select(client => Task.Run(async () =>
        {
            var random = new Random(Seed + client);
            await start.Task;
            for (var step = 0; step < OperationsPerClient; step++)
            {
                // Mostly the folder a type last answered with, sometimes any id seen (perhaps deleted since).
                var ids = random.Next(4) == 0 ? known.Keys.ToList() : latest.Values.ToList();
                var id = ids.Count > 0 ? ids[random.Next(ids.Count)] : Guid.CreateVersion7();
                var type = Types[random.Next(Types.Length)];
                var tag = $"c{client}s{step}";
                var (operation, method, url, body) = random.Next(8) switch
                {
                    0 or 1 or 2 => ("POST", HttpMethod.Post, collection, $$"""{"type":"{{type}}","protocol":"p{{tag}}://","path":"{{tag}}"}"""),
                    3 => ("PATCH path", HttpMethod.Patch, Routes.Item(route, actor.ProjectId, id), $$"""{"path":"{{tag}}"}"""),
                    4 => ("PATCH type", HttpMethod.Patch, Routes.Item(route, actor.ProjectId, id), $$"""{"type":"{{type}}","protocol":"t{{tag}}://"}"""),
                    5 => ("DELETE", HttpMethod.Delete, Routes.Item(route, actor.ProjectId, id), (string?)null),
                    6 => ("GET list", HttpMethod.Get, collection, null),
                    _ => ("GET detail", HttpMethod.Get, Routes.Item(route, actor.ProjectId, id), null),
                };

                var sent = Stopwatch.GetTimestamp();
                var response = await SendAsync(method, url, actor.Key, body is null ? null : Json(body));
                var received = Stopwatch.GetTimestamp();
                var text = await response.Content.ReadAsStringAsync();
                var status = (int)response.StatusCode;
                statuses.Add((operation, status));
                if (HardeningChecks.Violations(method, response, text) is [var violation, ..])
                {
                    failures.Enqueue($"{operation} {url} -> {status}: {violation}");
                }

                if (!Allowed(operation, status))
                {
                    failures.Enqueue($"{operation} {url} -> unexpected {status}: {HardeningChecks.Shorten(text)}");
                    continue;
                }

                if (status == 400 && await Wire.ReadErrorAsync(response) != new ErrorBody("validation_error", "unique", "A folder of this type already exists.", "type"))
                {
                    failures.Enqueue($"{operation} -> 400 that is not the unique error: {text}");
                }

                if (method != HttpMethod.Get && status is 200 or 201)
                {
                    var folder = Wire.Parse<FolderBody>(text);
                    writes.Add(new Acknowledged(folder, sent, received));
                    known[folder.Id] = 0;
                    latest[folder.Type] = folder.Id;
                }
                else if (status == 204)
                {
                    deleted.Add((id, sent));
                    foreach (var gone in latest.Where(l => l.Value == id))
                    {
                        latest.TryRemove(gone);
                    }
                }
            }
        })).ToList();
        start.SetResult();
        await Task.WhenAll(clients);

        var final = await ExpectAsync(await SendAsync(HttpMethod.Get, collection, actor.Key), HttpStatusCode.OK, Wire.ReadPageAsync);
        var duplicates = await HardeningChecks.DuplicateKeysAsync();
        var inconsistent = final.Results.Select(row => Inconsistency(row, writes, deleted)).OfType<string>().ToList();
        var histogram = statuses.GroupBy(s => s.Operation).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{g.Key} {HardeningChecks.Histogram(g.Select(s => s.Status))}");
        await TestContext.Out.WriteLineAsync(
            $"concurrency ({route}): {Clients} clients × {OperationsPerClient} = {statuses.Count} requests; {writes.Count} acknowledged writes, " +
            $"{deleted.Count} acknowledged deletes; final rows {final.Count}; " + string.Join("; ", histogram));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(failures, Is.Empty, string.Join("\n", failures.Take(30)) + "\nwarnings logged:\n" + string.Join("\n", logs.Entries.Take(10)));
            Assert.That(duplicates, Is.Zero, "keys with more than one row");
            Assert.That(final.Results.Select(r => r.Type), Is.Unique);
            Assert.That(inconsistent, Is.Empty);
            Assert.That(await RowsAsync(actor, route), Is.EqualTo(final.Count), "the list shows every row of the key");
        }

        // A write after the storm is exactly what is read back, in place of whatever was there.
        var settled = await ExpectAsync(
            await SendAsync(HttpMethod.Post, collection, actor.Key, Json("""{"type":"home","protocol":"final://","path":"final"}""")), HttpStatusCode.Created, Wire.ReadFolderAsync);
        var readBack = await ExpectAsync(await SendAsync(HttpMethod.Get, collection, actor.Key), HttpStatusCode.OK, Wire.ReadPageAsync);
        var homes = readBack.Results.Where(r => r.Type == "home").ToList();
        var previousHome = final.Results.SingleOrDefault(r => r.Type == "home");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(homes, Is.EqualTo(new[] { settled }));
            Assert.That((settled.Protocol, settled.Path), Is.EqualTo(("final://", "final")));
            if (previousHome is not null)
            {
                Assert.That(settled.Id, Is.EqualTo(previousHome.Id), "the upsert updated the surviving row in place");
            }

            Assert.That(await HardeningChecks.DuplicateKeysAsync(), Is.Zero);
        }
    }

    private static bool Allowed(string operation, int status) => operation switch
    {
        "POST" => status == 201,
        "PATCH path" => status is 200 or 404,
        "PATCH type" => status is 200 or 404 or 400,
        "DELETE" => status is 204 or 404,
        "GET list" => status == 200,
        _ => status is 200 or 404,
    };

    /// <summary>Why a surviving row is not a legitimate last write, or null when it is.</summary>
    private static string? Inconsistency(FolderBody row, IEnumerable<Acknowledged> writes, IEnumerable<(Guid Id, long Sent)> deleted)
    {
        var ofRow = writes.Where(w => w.Folder.Id == row.Id).ToList();
        if (deleted.Any(d => d.Id == row.Id))
        {
            return $"{row.Id} survives an acknowledged DELETE";
        }

        var matching = ofRow.Where(w => w.Folder == row).ToList();
        if (matching.Count == 0)
        {
            return $"{row} is no acknowledged write's answer";
        }

        // It must be the answer of a write that no other acknowledged write of this row follows:
        // one sent after it was acknowledged and answering something else.
        return matching.Any(m => !ofRow.Any(later => later.Sent > m.Received && later.Folder != m.Folder))
            ? null
            : $"{row} was overwritten later by an acknowledged write";
    }

    private static Task<long> RowsAsync(Actor actor, string route) =>
        IntegrationDatabase.ScalarAsync<long>(
            "SELECT count(*) FROM persisted_folder WHERE user_id = @user AND team_id = @team AND COALESCE(surface, 'web') = @surface",
            ("user", actor.User.Id), ("team", actor.ProjectId), ("surface", Routes.StoredSurface(route)));

    private sealed record Acknowledged(FolderBody Folder, long Sent, long Received);
}
