using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace PersistedFolder.Tests.Integration.Hardening;

/// <summary>
/// Issue 11's client-fault battery, on Kestrel over real sockets: clients that drop mid-body or while
/// their database work runs are logged once each, at information level, as 499, with no stack trace
/// and nothing at error level; a body slower than the minimum data rate is answered 408
/// <c>request_timeout</c> in the API's error shape.
/// </summary>
public sealed class ClientFaultTests : ApiFixture
{
    private const int MidBodyAborts = 10;
    private readonly CapturedLogs logs = new();
    private IPEndPoint? endPoint;

    protected override PersistedFolderApiFactory CreateFactory() => new(
        new Dictionary<string, string?>
        {
            ["PersistedFolder:RateLimits:PerMinute"] = "1000000",
            ["PersistedFolder:RateLimits:PerHour"] = "1000000",
        },
        services =>
        {
            logs.AddTo(services, LogLevel.Information);
            services.Configure<KestrelServerOptions>(kestrel => kestrel.Limits.MinRequestBodyDataRate = new MinDataRate(240, TimeSpan.FromSeconds(2)));
        });

    protected override HttpClient CreateClient(PersistedFolderApiFactory application)
    {
        application.UseKestrel(0);
        application.StartServer();
        var address = new Uri(application.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
        endPoint = new IPEndPoint(IPAddress.Loopback, address.Port);
        return application.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { BaseAddress = address });
    }

    [Test]
    public async Task Aborted_requests_are_one_information_499_each_and_a_slow_body_is_408()
    {
        var actor = await CreateActorAsync();
        var folder = await ExpectAsync(
            await SendAsync(HttpMethod.Post, Routes.Collection(Routes.Web, actor.ProjectId), actor.Key, Json("""{"type":"home"}""")),
            HttpStatusCode.Created,
            Wire.ReadFolderAsync);
        var host = $"127.0.0.1:{endPoint!.Port}";
        var auth = ("Authorization", $"Bearer {actor.Key}");
        logs.Clear();

        // Dropped mid-body.
        var aborted = new List<string>();
        for (var n = 0; n < MidBodyAborts; n++)
        {
            var path = Routes.Item(Routes.Web, actor.ProjectId, Guid.CreateVersion7());
            await using var connection = await RawHttpConnection.ConnectAsync(endPoint);
            await connection.WriteAsync($"PATCH {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {actor.Key}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"path\":\"x");
            await Task.Delay(200);
            aborted.Add(path);
        }

        // Dropped while its write waits on a row lock.
        await using (var locker = await IntegrationDatabase.DataSource.OpenConnectionAsync())
        {
            await using var transaction = await locker.BeginTransactionAsync();
            await using (var lockRow = locker.CreateCommand())
            {
                lockRow.CommandText = "SELECT id FROM persisted_folder WHERE id = @id FOR UPDATE";
                lockRow.Parameters.AddWithValue("id", folder.Id);
                await lockRow.ExecuteScalarAsync();
            }

            var path = Routes.Item(Routes.Web, actor.ProjectId, folder.Id);
            await using (var connection = await RawHttpConnection.ConnectAsync(endPoint))
            {
                await connection.WriteAsync($"PATCH {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {actor.Key}\r\nContent-Type: application/json\r\nContent-Length: 12\r\n\r\n{{\"path\":\"y\"}}");
                await Task.Delay(300);
            }

            aborted.Add(path);
            await Task.Delay(1500);
            await transaction.RollbackAsync();
        }

        // A body that trickles: 1 byte, then nothing.
        RawResponse slow;
        var slowPath = Routes.Collection(Routes.Web, actor.ProjectId);
        await using (var connection = await RawHttpConnection.ConnectAsync(endPoint))
        {
            await connection.WriteAsync($"POST {slowPath} HTTP/1.1\r\nHost: {host}\r\n{auth.Item1}: {auth.Item2}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{");
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            slow = await connection.ReadResponseAsync(limit.Token);
        }

        await Task.Delay(500);
        var entries = logs.Entries.ToList();
        var requestLines = entries.Where(e => e.Category.EndsWith("RequestLogMiddleware", StringComparison.Ordinal)).ToList();
        var perAborted = aborted.Select(path => requestLines.Count(e => e.Message.StartsWith($"PATCH {path} ", StringComparison.Ordinal))).ToList();
        var abortedAs499 = aborted.Select(path => requestLines.Count(e => e.Message.StartsWith($"PATCH {path} 499 ", StringComparison.Ordinal))).ToList();
        var errors = entries.Where(e => e.Level >= LogLevel.Error).ToList();
        var withException = entries.Where(e => e.Exception is not null).ToList();
        await TestContext.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"client faults: {aborted.Count} dropped requests ({MidBodyAborts} mid-body, 1 during a lock wait): request log lines per request {string.Join(",", perAborted)}, as 499 {abortedAs499.Sum()}; " +
            $"slow body -> {slow.Status} {HardeningChecks.Shorten(slow.Body, 120)}; {entries.Count} entries at information or above, {errors.Count} at error, {withException.Count} with an exception"));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(abortedAs499, Is.All.EqualTo(1), "each dropped request logged once as 499");
            Assert.That(perAborted, Is.All.EqualTo(1), "each dropped request logged once");
            Assert.That(errors.Select(e => e.ToString()), Is.Empty, "error-level entries");
            Assert.That(withException.Select(e => e.ToString()), Is.Empty, "entries with an exception (stack trace)");
            Assert.That(slow.Status, Is.EqualTo(408));
            Assert.That(HardeningChecks.ErrorBodyViolations(408, slow.Body), Is.Empty);
            Assert.That(Wire.Parse<ErrorBody>(slow.Body).Code, Is.EqualTo("request_timeout"));
        }
    }
}
