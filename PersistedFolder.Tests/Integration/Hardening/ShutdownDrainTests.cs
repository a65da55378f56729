using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;

namespace PersistedFolder.Tests.Integration.Hardening;

/// <summary>
/// Issue 11's shutdown battery, on the real service process over real sockets: 64 keep-alive
/// clients write and list while the service gets SIGTERM. A poller stands in for the load balancer:
/// it reads <c>/_readyz</c> every 50 ms, and once it sees 503 the clients send for another
/// <see cref="BalancerLag"/> (the balancer taking the instance out) and then stop. Shown: readiness
/// turns 503 at once and stays so, the service keeps serving for the drain period, responses during
/// the drain carry <c>Connection: close</c>, no request sent on an open connection is left without a
/// response, every acknowledged write is stored, and the process exits 0 with no error logged.
/// </summary>
public sealed class ShutdownDrainTests : ApiFixture
{
    private const int Clients = 64;
    private const int Users = 16;
    private static readonly TimeSpan Drain = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan BalancerLag = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan LoadBeforeStop = TimeSpan.FromSeconds(2);
    private static readonly string[] Routes2 = [Routes.Web, Routes.Desktop];
    private static readonly string[] Types = ["home", "pinned"];

    [Test]
    public async Task Sigterm_under_load_drains_with_no_connection_left_without_a_response_and_no_acknowledged_write_lost()
    {
        var actors = new List<Actor>();
        for (var n = 0; n < Users; n++)
        {
            actors.Add(await CreateActorAsync());
        }

        using var service = ServiceProcess.Start(new Dictionary<string, string>
        {
            ["PersistedFolder:Shutdown:DrainPeriod"] = Drain.ToString("c", CultureInfo.InvariantCulture),
            ["PersistedFolder:MigrateOnStartup"] = "false",
            ["PersistedFolder:RateLimits:PerMinute"] = "1000000",
            ["PersistedFolder:RateLimits:PerHour"] = "1000000",
        });
        await service.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));

        var clock = Stopwatch.StartNew();
        var warmedUp = new CountdownEvent(Clients);
        long stopSendingAt = long.MaxValue;
        long sigtermAt = long.MaxValue;
        var attempts = new ConcurrentBag<Attempt>();
        var noResponse = new ConcurrentQueue<string>();
        var clients = Enumerable.Range(0, Clients).Select(client => Task.Run(async () =>
        {
            var actor = actors[client % Users];
            var route = Routes2[client / Users % 2];
            var type = Types[client / (Users * 2) % 2];
            var headers = new[] { ("Authorization", $"Bearer {actor.Key}") };
            RawHttpConnection? connection = null;
            try
            {
                for (var n = 0; clock.ElapsedMilliseconds < Interlocked.Read(ref stopSendingAt) && n < 100_000; n++)
                {
                    if (connection is null)
                    {
                        try
                        {
                            connection = await RawHttpConnection.ConnectAsync(service.EndPoint);
                        }
                        catch (SocketException)
                        {
                            attempts.Add(new Attempt(client, n, null, -1, false, clock.ElapsedMilliseconds, null));
                            return;
                        }
                    }

                    var write = n % 4 != 3;
                    var path = $"c{client}n{n}";
                    var sent = clock.ElapsedMilliseconds;
                    RawResponse response;
                    try
                    {
                        response = write
                            ? await connection.SendAsync("POST", Routes.Collection(route, actor.ProjectId), service.Host, headers, $$"""{"type":"{{type}}","path":"{{path}}"}""")
                            : await connection.SendAsync("GET", Routes.Collection(route, actor.ProjectId), service.Host, headers, null);
                    }
                    catch (NoResponseException exception)
                    {
                        noResponse.Enqueue($"client {client} request {n} sent at {sent - Interlocked.Read(ref sigtermAt)} ms after SIGTERM: {exception.Message}");
                        attempts.Add(new Attempt(client, n, write ? path : null, 0, false, sent, null));
                        return;
                    }

                    attempts.Add(new Attempt(client, n, write ? path : null, response.Status, response.ClosesConnection, sent, response.Body));
                    if (n == 0)
                    {
                        warmedUp.Signal();
                    }

                    if (response.ClosesConnection)
                    {
                        await connection.DisposeAsync();
                        connection = null;
                    }
                }
            }
            finally
            {
                if (connection is not null)
                {
                    await connection.DisposeAsync();
                }
            }
        })).ToList();

        // Every client answered once (a cold process JITs and opens its pool), then load before the stop.
        await Task.Run(() => warmedUp.Wait(TimeSpan.FromSeconds(60)));
        var loadFrom = clock.ElapsedMilliseconds;
        await Task.Delay(LoadBeforeStop);
        Interlocked.Exchange(ref sigtermAt, clock.ElapsedMilliseconds);
        service.Terminate();

        // The balancer's health check: a fresh connection every 50 ms until the listener is gone.
        var polls = new List<(long At, int Status)>();
        while (clock.ElapsedMilliseconds - sigtermAt < 30_000)
        {
            var at = clock.ElapsedMilliseconds - sigtermAt;
            int status;
            try
            {
                await using var probe = await RawHttpConnection.ConnectAsync(service.EndPoint);
                status = (await probe.SendAsync("GET", "/_readyz", service.Host, [("Connection", "close")], null)).Status;
            }
            catch (SocketException)
            {
                polls.Add((at, -1));
                break;
            }
            catch (NoResponseException)
            {
                status = 0;
            }

            polls.Add((at, status));
            if (status == 503 && Interlocked.Read(ref stopSendingAt) == long.MaxValue)
            {
                Interlocked.Exchange(ref stopSendingAt, clock.ElapsedMilliseconds + (long)BalancerLag.TotalMilliseconds);
            }

            await Task.Delay(50);
        }

        await Task.WhenAll(clients);
        var exited = await service.WaitForExitAsync(TimeSpan.FromSeconds(30));

        var all = attempts.ToList();
        var answered = all.Where(a => a.Status > 0).ToList();
        var afterSigterm = answered.Where(a => a.Sent > sigtermAt).ToList();
        var afterNotReady = answered.Where(a => a.Sent > stopSendingAt - BalancerLag.TotalMilliseconds).ToList();
        var first503 = polls.FirstOrDefault(p => p.Status == 503);
        var last503 = polls.LastOrDefault(p => p.Status == 503);
        var closedAt = polls.FirstOrDefault(p => p.Status == -1);
        var lost = await LostAsync(actors, all);
        var errors = service.Output.Where(line => line.Contains("fail:", StringComparison.Ordinal) || line.Contains("crit:", StringComparison.Ordinal)).ToList();

        await TestContext.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"shutdown: {Clients} keep-alive clients, {answered.Count(a => a.Sent >= loadFrom && a.Sent < sigtermAt) * 1000 / Math.Max(1, sigtermAt - loadFrom)} req/s before SIGTERM, {answered.Count} requests answered {HardeningChecks.Histogram(answered.Select(a => a.Status))}, " +
            $"{afterSigterm.Count} of them sent after SIGTERM ({afterSigterm.Count(a => a.ClosesConnection)} with Connection: close); " +
            $"left without a response: {noResponse.Count}; refused after the listener closed: {all.Count(a => a.Status == -1)}; " +
            $"/_readyz 503 from {first503.At} ms to {last503.At} ms after SIGTERM ({polls.Count(p => p.Status == 503)} polls, {polls.Count(p => p.Status == 200)} × 200 before), " +
            $"listener closed {closedAt.At} ms after SIGTERM (drain {Drain.TotalSeconds} s); exit {(exited ? service.ExitCode.ToString(CultureInfo.InvariantCulture) : "none")}; " +
            $"acknowledged writes lost {lost.Count}; error log lines {errors.Count}"));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(noResponse, Is.Empty, "requests sent on an open connection and left without a response");
            Assert.That(answered.Select(a => a.Status), Is.All.AnyOf(200, 201), "every answer during the run and the drain");
            Assert.That(first503.Status, Is.EqualTo(503), "/_readyz turned 503");
            Assert.That(first503.At, Is.LessThan(1000), "/_readyz turned 503 at once (ms after SIGTERM)");
            Assert.That(polls.SkipWhile(p => p.Status != 503).Select(p => p.Status), Is.All.AnyOf(503, -1), "readiness stays 503 until the listener closes");
            Assert.That(last503.At, Is.GreaterThanOrEqualTo((long)(Drain.TotalMilliseconds * 0.8)), "the service kept serving for the drain period");
            Assert.That(afterSigterm, Is.Not.Empty, "requests were served during the drain");
            Assert.That(afterNotReady.Where(a => !a.ClosesConnection), Is.Empty, "responses during the drain carry Connection: close");
            Assert.That(exited, Is.True, "the process exited");
            Assert.That(exited ? service.ExitCode : -1, Is.Zero, "exit code");
            Assert.That(lost, Is.Empty, "acknowledged writes lost");
            Assert.That(errors, Is.Empty, "error lines in the service's log");
        }
    }

    /// <summary>For each client's key, the stored path must be its last acknowledged write's or a later attempt's.</summary>
    private static async Task<List<string>> LostAsync(List<Actor> actors, List<Attempt> attempts)
    {
        var lost = new List<string>();
        foreach (var client in attempts.GroupBy(a => a.Client))
        {
            var ordered = client.Where(a => a.Path is not null).OrderBy(a => a.N).ToList();
            var last = ordered.FindLastIndex(a => a.Status == 201);
            if (last < 0)
            {
                continue;
            }

            var actor = actors[client.Key % Users];
            var surface = Routes.StoredSurface(Routes2[client.Key / Users % 2]);
            var type = Types[client.Key / (Users * 2) % 2];
            var stored = await IntegrationDatabase.ScalarAsync<string?>(
                "SELECT path FROM persisted_folder WHERE team_id = @team AND user_id = @user AND type = @type AND COALESCE(surface, 'web') = @surface",
                ("team", actor.ProjectId), ("user", actor.User.Id), ("type", type), ("surface", surface));
            var acknowledged = JsonDocument.Parse(ordered[last].Body!).RootElement.GetProperty("path").GetString();
            var allowed = ordered.Skip(last).Select(a => a.Path).ToHashSet();
            if (stored is null || !allowed.Contains(stored) || acknowledged != ordered[last].Path)
            {
                lost.Add($"client {client.Key}: last acknowledged {ordered[last].Path}, stored {stored ?? "nothing"}");
            }
        }

        return lost;
    }

    private sealed record Attempt(int Client, int N, string? Path, int Status, bool ClosesConnection, long Sent, string? Body);
}
