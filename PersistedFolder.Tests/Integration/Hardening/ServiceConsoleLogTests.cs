using System.Globalization;
using System.Text.RegularExpressions;

namespace PersistedFolder.Tests.Integration.Hardening;

/// <summary>
/// Issue 9: the real service process writes its console log in batches
/// (<c>BatchingConsoleLoggerProvider</c>). What reaches stdout is what the console logger would write
/// under the service's appsettings.json: one whole single-line entry per request, in order, each with
/// its UTC timestamp, and the entries of the last requests before SIGTERM are there when it exits.
/// (That entries still waiting are written when the host stops is shown in
/// <c>BatchingConsoleLoggerProviderTests</c>: here the drain outlasts the batch delay.)
/// </summary>
public sealed partial class ServiceConsoleLogTests : ApiFixture
{
    private const int Requests = 200;

    [Test]
    public async Task Each_request_is_one_whole_line_on_stdout_in_the_services_format_through_to_the_stop()
    {
        var actor = await CreateActorAsync();
        using var service = ServiceProcess.Start(new Dictionary<string, string>
        {
            ["PersistedFolder:Shutdown:DrainPeriod"] = "00:00:00.2",
            ["PersistedFolder:MigrateOnStartup"] = "false",
        });
        await service.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));

        var collection = Routes.Collection(Routes.Web, actor.ProjectId);
        var statuses = new List<int>();
        await using (var connection = await RawHttpConnection.ConnectAsync(service.EndPoint))
        {
            for (var n = 0; n < Requests; n++)
            {
                var path = string.Create(CultureInfo.InvariantCulture, $"{collection}?limit={n + 1}");
                statuses.Add((await connection.SendAsync("GET", path, service.Host, [("Authorization", $"Bearer {actor.Key}")], null)).Status);
            }
        }

        service.Terminate();
        var exited = await service.WaitForExitAsync(TimeSpan.FromSeconds(30));

        // The readiness probes' lines aside.
        var lines = service.Output.Where(line => line.Contains("RequestLogMiddleware", StringComparison.Ordinal) && !line.Contains("/_readyz", StringComparison.Ordinal)).ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exited, "the service exited");
            Assert.That(statuses, Is.All.EqualTo(200));
            Assert.That(lines, Has.Count.EqualTo(Requests), "one line per request, the last ones too");
            Assert.That(lines, Is.All.Matches<string>(line => RequestLine().IsMatch(line) && line.Contains($"GET {collection} 200 ", StringComparison.Ordinal)),
                "whole single-line entries of the service's format, without the query string");
        }
    }

    // 2026-12-02T19:53:16.745Z info: PersistedFolder.Api.Logging.RequestLogMiddleware[0] GET /api/projects/1/persisted_folder/ 200 3.4ms
    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z info: PersistedFolder\.Api\.Logging\.RequestLogMiddleware\[0\] GET /api/projects/\d+/persisted_folder/ 200 \d+\.\dms$")]
    private static partial Regex RequestLine();
}
