using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PersistedFolder.Api;

namespace PersistedFolder.Tests.Integration;

/// <summary>
/// SPEC §12: the API's OpenAPI document has its own name. A host with its own <c>AddOpenApi()</c>
/// document <c>v1</c> keeps it as it was (its operations only), and ours lists only the folder operations.
/// </summary>
public sealed class OpenApiHostTests
{
    private WebApplication? host;
    private HttpClient? client;

    private HttpClient Client => client ?? throw new InvalidOperationException("The host is not started.");

    [OneTimeSetUp]
    public async Task StartHost()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(OpenApiHostTests).Assembly.GetName().Name,
            EnvironmentName = Environments.Production,
        });
        builder.WebHost.UseTestServer();
        builder.WebHost.UseSetting("ConnectionStrings:PersistedFolder", IntegrationDatabase.RequireConnectionString());
        builder.WebHost.UseSetting("PersistedFolder:Schema", IntegrationDatabase.Schema);
        builder.Logging.ClearProviders();
        builder.Services.AddControllers();
        builder.Services.AddOpenApi();
        builder.Services.AddPersistedFolders(builder.Configuration);

        host = builder.Build();
        host.MapOpenApi();
        host.MapControllers();
        host.MapGet("/host/ping", () => "pong");
        host.MapPersistedFolders();
        await host.StartAsync();
        client = host.GetTestClient();
    }

    [OneTimeTearDown]
    public async Task StopHost()
    {
        client?.Dispose();
        if (host is not null)
        {
            await host.DisposeAsync();
        }
    }

    [Test]
    public async Task Hosts_own_v1_document_has_only_the_hosts_operations()
    {
        var paths = await PathsAsync("/openapi/v1.json");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(paths, Does.Contain("/host/ping"));
            Assert.That(paths.Where(path => path.StartsWith("/api/", StringComparison.Ordinal)), Is.Empty);
        }
    }

    [Test]
    public async Task Hosts_own_v1_document_keeps_the_hosts_controllers() =>
        Assert.That(await PathsAsync("/openapi/v1.json"), Does.Contain("/host/hello"));

    [Test]
    public async Task Our_document_has_only_the_folder_operations()
    {
        var paths = await PathsAsync("/api/schema/");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(paths, Has.Count.EqualTo(6));
            Assert.That(paths, Is.All.Contains("persisted_folder/"));
        }
    }

    [Test]
    public async Task Our_document_is_served_under_its_own_name_too()
    {
        var response = await Client.GetAsync(new Uri("/openapi/persisted_folder.json", UriKind.Relative));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    private async Task<List<string>> PathsAsync(string url)
    {
        var response = await Client.GetAsync(new Uri(url, UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        return [.. JsonNode.Parse(body)!["paths"]!.AsObject().Select(path => path.Key)];
    }
}
