using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PersistedFolder.Api;

namespace PersistedFolder.Tests.Integration.Hosting;

/// <summary>
/// A host application that embeds the folders API, its <see cref="Build"/> written as its
/// <c>Program.cs</c> would be: its own authentication scheme (<see cref="HostUserAuthentication"/>,
/// standing in for a cookie or a JWT), its own controller (<see cref="HostGreetingController"/>) and
/// a minimal API endpoint, its own status-code and error pages, and the API added with <c>AddPersistedFolders</c>,
/// and <c>MapPersistedFolders</c>. It runs in memory on a
/// <see cref="TestServer"/>, on the integration tests' schema.
/// </summary>
/// <remarks>
/// In the namespace of the integration tests, though it lives in <c>Hosting/</c>, so their one-time
/// set-up (the schema from the migrations) and tear-down cover these fixtures too.
/// </remarks>
/// <param name="configureServices">Registrations the host makes after its own, e.g. its own <c>IProjectAccessSource</c>.</param>
public sealed class EmbeddingHost(Action<IServiceCollection>? configureServices = null) : IAsyncDisposable
{
    /// <summary>The host's own answer to a status code without a body (its 404s and 401s).</summary>
    public const string StatusPage = "host status page: {0}";

    /// <summary>The host's own answer to an exception.</summary>
    public const string ErrorPage = "host error page";

    private WebApplication? application;

    public IServiceProvider Services => (application ?? throw new InvalidOperationException("The host is not started.")).Services;

    public static string StatusPageFor(HttpStatusCode status) =>
        StatusPage.Replace("{0}", ((int)status).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);

    /// <summary>Builds and starts the host; the client talks to it in memory and never follows redirects.</summary>
    public HttpClient Start()
    {
        application = Build(configureServices);
        application.Start();
        return application.GetTestClient();
    }

    public async ValueTask DisposeAsync()
    {
        if (application is not null)
        {
            await application.DisposeAsync();
        }
    }

    private static WebApplication Build(Action<IServiceCollection>? configureServices)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            // The host's assembly, not the test runner's: MVC looks for the host's controllers there.
            ApplicationName = typeof(EmbeddingHost).Assembly.GetName().Name,
            EnvironmentName = Environments.Production,
        });
        builder.WebHost.UseTestServer();
        builder.WebHost.UseSetting("ConnectionStrings:PersistedFolder", IntegrationDatabase.RequireConnectionString());
        builder.WebHost.UseSetting("PersistedFolder:Schema", IntegrationDatabase.Schema);
        builder.WebHost.UseSetting("PersistedFolder:Shutdown:DrainPeriod", "00:00:00");
        builder.Logging.ClearProviders();

        // The host as it was before embedding: its own authentication (its default scheme) and MVC.
        builder.Services.AddAuthentication(HostUserAuthentication.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, HostUserAuthentication>(HostUserAuthentication.SchemeName, null);
        builder.Services.AddAuthorization();
        builder.Services.AddControllers();

        // The folders API, honouring the host's principals and reading their user id from the host's claim.
        builder.Services.AddPersistedFolders(builder.Configuration, options =>
        {
            options.AuthenticationSchemes.Add(HostUserAuthentication.SchemeName);
            options.UserIdClaimType = HostUserAuthentication.UserIdClaim;
        });
        configureServices?.Invoke(builder.Services);

        var app = builder.Build();
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            ExceptionHandler = context =>
            {
                context.Response.StatusCode = StatusCodes.Status500InternalServerError;
                context.Response.ContentType = "text/plain";
                return context.Response.WriteAsync(ErrorPage);
            },
        });
        app.UseStatusCodePages("text/plain", StatusPage);

        app.UseAuthentication();
        app.UseAuthorization();
        app.MapControllers();
        app.MapGet("/host/ping", () => new HostGreeting("pong", HostGreetingController.ServedBy));
        app.MapPersistedFolders();
        app.MapPersistedFolderHealthChecks();
        return app;
    }
}
