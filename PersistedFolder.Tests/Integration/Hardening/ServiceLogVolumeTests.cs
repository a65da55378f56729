using System.Net;
using Microsoft.Extensions.Logging;
using PersistedFolder.Core.Keys;

namespace PersistedFolder.Tests.Integration.Hardening;

/// <summary>
/// Issue 9: at the levels the service's own appsettings.json sets, a request costs one log line (the
/// request log), not one more per database command. Npgsql logs every command it executes at
/// information level ("Command execution completed", with the statement's text); writing those lines
/// cost the service about a quarter of its read throughput in the benchmark and filled its log with SQL.
/// </summary>
public sealed class ServiceLogVolumeTests : ApiFixture
{
    private static readonly int[] ExpectedStatuses = [200, 200, 200, 401, 204];
    private readonly CapturedLogs logs = new();

    protected override PersistedFolderApiFactory CreateFactory() => new(configureServices: logs.AddAtConfiguredLevels);

    [Test]
    public async Task Each_request_logs_one_line_and_no_database_command()
    {
        var actor = await CreateActorAsync();
        logs.Clear();
        var collection = Routes.Collection(Routes.Web, actor.ProjectId);
        var created = await ExpectAsync(
            await SendAsync(HttpMethod.Post, collection, actor.Key, Json("""{"type":"home","path":"a"}""")), HttpStatusCode.Created, Wire.ReadFolderAsync);
        var item = Routes.Item(Routes.Web, actor.ProjectId, created.Id);
        HttpResponseMessage[] answers =
        [
            await SendAsync(HttpMethod.Get, collection, actor.Key),
            await SendAsync(HttpMethod.Get, item, actor.Key),
            await SendAsync(HttpMethod.Patch, item, actor.Key, Json("""{"path":"b"}""")),
            await SendAsync(HttpMethod.Get, collection, PersonalApiKeys.Generate()),
            await SendAsync(HttpMethod.Delete, item, actor.Key),
        ];
        var entries = logs.Entries.Where(e => e.Level >= LogLevel.Information).ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(answers.Select(a => (int)a.StatusCode), Is.EqualTo(ExpectedStatuses));
            Assert.That(entries.Where(e => e.Category.StartsWith("Npgsql", StringComparison.Ordinal)).Select(e => e.ToString()), Is.Empty, "Npgsql entries");
            Assert.That(entries.Select(e => e.Category), Is.All.EndsWith("RequestLogMiddleware"), "only request log lines");
            Assert.That(entries, Has.Count.EqualTo(answers.Length + 1), "one line per request (the create too)");
        }
    }
}
