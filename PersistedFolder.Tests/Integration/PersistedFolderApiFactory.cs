using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace PersistedFolder.Tests.Integration;

/// <summary>
/// The real application in memory, on the tests' schema. Settings go through <c>UseSetting</c>:
/// the data layer reads the connection string while services are registered, before an
/// in-memory configuration source would be applied.
/// </summary>
public sealed class PersistedFolderApiFactory(
    IReadOnlyDictionary<string, string?>? settings = null,
    Action<IServiceCollection>? configureServices = null) : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(Environments.Production);
        builder.UseSetting("ConnectionStrings:PersistedFolder", IntegrationDatabase.RequireConnectionString());
        builder.UseSetting("PersistedFolder:Schema", IntegrationDatabase.Schema);
        // No drain when a fixture's application stops (the shutdown battery sets its own).
        builder.UseSetting("PersistedFolder:Shutdown:DrainPeriod", "00:00:00");
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(logging => logging.ClearProviders());
        if (configureServices is not null)
        {
            builder.ConfigureTestServices(configureServices);
        }
    }
}
