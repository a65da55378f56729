using System.Net;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PersistedFolder.Tests.Integration;

/// <summary>
/// The served OpenAPI document, byte for byte (re-indented), is the checked-in snapshot
/// <c>PersistedFolder.Tests/OpenApi/persisted_folder.openapi.json</c>: a change to the document is a
/// change to that file, reviewed like code. The generated clients (NSwag, openapi-typescript) are
/// built from the same file.
/// </summary>
/// <remarks>
/// Regenerate after an intended change: <c>UPDATE_OPENAPI_SNAPSHOT=1 TEST_FILTER=OpenApiSnapshot SKIP_CONFORMANCE=1 bash scripts/test.sh</c>
/// (or the same variable with <c>dotnet test --filter OpenApiSnapshot</c>), then review the diff.
/// </remarks>
public sealed class OpenApiSnapshotTests : ApiFixture
{
    public const string SnapshotName = "persisted_folder.openapi.json";

    private static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The snapshot in the source tree (not the copy in bin), found from the test assembly's folder.</summary>
    public static string SnapshotPath
    {
        get
        {
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                var candidate = Path.Combine(directory.FullName, "PersistedFolder.Tests", "OpenApi", SnapshotName);
                if (File.Exists(candidate) || File.Exists(Path.Combine(directory.FullName, "PersistedFolder.sln")))
                {
                    return candidate;
                }
            }

            throw new InvalidOperationException($"No PersistedFolder.sln above {AppContext.BaseDirectory}.");
        }
    }

    public static string Normalise(string json) =>
        JsonNode.Parse(json)!.ToJsonString(Indented).ReplaceLineEndings("\n") + "\n";

    [Test]
    public async Task Served_document_is_the_checked_in_snapshot()
    {
        var response = await SendAsync(HttpMethod.Get, "/api/schema/");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var served = Normalise(await response.Content.ReadAsStringAsync());

        if (Environment.GetEnvironmentVariable("UPDATE_OPENAPI_SNAPSHOT") == "1")
        {
            await File.WriteAllTextAsync(SnapshotPath, served);
            Assert.Pass($"Snapshot written to {SnapshotPath}; review the diff.");
        }

        Assert.That(File.Exists(SnapshotPath), Is.True, $"No snapshot at {SnapshotPath}: run with UPDATE_OPENAPI_SNAPSHOT=1 to write it.");
        var snapshot = (await File.ReadAllTextAsync(SnapshotPath)).ReplaceLineEndings("\n");
        Assert.That(served, Is.EqualTo(snapshot), "The served document differs from the snapshot; if the change is intended, regenerate it (UPDATE_OPENAPI_SNAPSHOT=1, see the remarks of OpenApiSnapshotTests).");
    }

    [Test]
    public async Task Servers_come_from_configuration_never_from_the_host_header()
    {
        var spoofed = await SendAsync(HttpMethod.Get, "/api/schema/", content: null, request => request.Headers.Host = "evil.example");
        await using var configured = new PersistedFolderApiFactory(new Dictionary<string, string?> { ["PersistedFolder:OpenApi:ServerUrl"] = "https://folders.example.com" });
        using var client = configured.CreateClient();
        var fromSetting = JsonNode.Parse(await client.GetStringAsync(new Uri("/api/schema/", UriKind.Relative)));

        var servers = JsonNode.Parse(await spoofed.Content.ReadAsStringAsync())!["servers"]!.ToJsonString();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(servers, Is.EqualTo("""[{"url":"/"}]"""));
            Assert.That(fromSetting!["servers"]!.ToJsonString(), Is.EqualTo("""[{"url":"https://folders.example.com"}]"""));
        }
    }
}
