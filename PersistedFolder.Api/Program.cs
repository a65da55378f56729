using PersistedFolder.Api;
using PersistedFolder.Api.Admin;
using PersistedFolder.Api.Observability;

if (args is ["admin", .. var adminArgs])
{
    return await AdminCommandLine.RunAsync(adminArgs, Console.Out, Console.Error);
}

// The standalone service: the embeddable API, plus what a service decides for every request it serves.
var builder = WebApplication.CreateBuilder(args);
builder.Services
    .AddPersistedFolders(builder.Configuration)
    .AddPersistedFolderTelemetry(builder.Configuration);
builder.Logging.AddPersistedFolderServiceLogging();

var app = builder.Build();
app.UsePersistedFolderService();
app.MapPersistedFolders();
app.MapPersistedFolderHealthChecks();
app.MapPersistedFolderCatchAll();
await app.RunAsync();
return 0;
