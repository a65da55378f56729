using PersistedFolder.Api;
using PersistedFolder.Api.Admin;
using PersistedFolder.Api.Observability;

if (args is ["admin", .. var adminArgs])
{
    return await AdminCommandLine.RunAsync(adminArgs, Console.Out, Console.Error);
}

var builder = WebApplication.CreateBuilder(args);
builder.Services
    .AddPersistedFolders(builder.Configuration)
    .AddPersistedFolderTelemetry(builder.Configuration);

var app = builder.Build();
app.UsePersistedFolders();
app.MapPersistedFolders();
await app.RunAsync();
return 0;
