using System.Net;
using System.Text.Json;
using System.Threading.RateLimiting;
using Asp.Versioning;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PersistedFolder.Api;
using PersistedFolder.Api.Admin;
using PersistedFolder.Api.Authentication;

namespace PersistedFolder.Tests.Integration.Hosting.Monolith;

/// <summary>How the monolith authenticates its own users.</summary>
public enum MonolithAuthentication
{
    /// <summary><c>AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer()</c>.</summary>
    JwtAsDefault,

    /// <summary><c>AddAuthentication().AddJwtBearer()</c>: its only scheme, no default named (ASP.NET Core then uses the single one).</summary>
    JwtOnlyNoDefault,

    /// <summary>No authentication at all (but <c>UseAuthorization</c>, as the templates have it).</summary>
    None,
}

/// <summary>Whether, and where, the monolith calls <c>AddPersistedFolders</c>.</summary>
public enum FolderRegistration
{
    Absent,
    BeforeHostServices,
    AfterHostServices,
}

public sealed record MonolithVariant(MonolithAuthentication Authentication, FolderRegistration Folders)
{
    public bool HasFolders => Folders != FolderRegistration.Absent;

    public bool HasAuthentication => Authentication != MonolithAuthentication.None;

    public override string ToString() => $"{Authentication}, folders {Folders}";
}

/// <summary>
/// The <c>Program.cs</c> of a realistic ASP.NET Core monolith that embeds the folder API: EF Core on
/// its own database through its own <c>AddNpgsqlDataSource</c>, JWT bearer, URL-segment versioned
/// <c>[Authorize]</c> controllers, a public controller binding JSON and forms, its own OpenAPI
/// document, a global limiter plus a named policy with its own rejection, ProblemDetails with an
/// exception handler and status-code pages, a health check named <c>database</c>, forwarded headers
/// from a loopback proxy, CORS for its SPA and camelCase JSON. <see cref="Build"/> takes the
/// variant: which authentication, and whether the folder API is added before, after or not at all.
/// </summary>
public static class MonolithProgram
{
    public const string EditorPolicy = "editor";
    public const string ReportsPolicy = "reports";
    public const string CorsPolicy = "spa";
    public const string SpaOrigin = "https://spa.monolith.test";
    public const string TenantHeader = "X-Tenant";
    public const string TrialTenant = "trial";
    public const string RequestIdHeader = "X-Request-Id";

    /// <summary>The claim of the monolith's tokens that names a user of the folder API already provisioned by id.</summary>
    public const string FolderUserIdClaim = "folder_user_id";

    /// <summary>The issuer under which the monolith's users are provisioned as folder users.</summary>
    public const string UserIssuer = "monolith";

    /// <summary>The quota the monolith's trial tenants get per hour (global limiter), and reports per hour (named policy).</summary>
    public const int TrialPermits = 2;

    public const int ReportPermits = 2;

    /// <summary>The entry of the monolith's executable: <c>admin …</c> runs the folder API's admin commands on the host's configuration.</summary>
    public static async Task<int> MainAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var builder = CreateBuilder(args);
        if (args is ["admin", .. var adminArgs])
        {
            return await AdminCommandLine.RunAsync(adminArgs, builder.Configuration, stdout, stderr);
        }

        await using var app = Build(builder, new MonolithVariant(MonolithAuthentication.JwtAsDefault, FolderRegistration.AfterHostServices));
        await app.RunAsync();
        return 0;
    }

    /// <summary>Builds the monolith from its command line; <paramref name="testServices"/> are registered last (the tests' log capture, a host access source).</summary>
    public static WebApplication Build(MonolithVariant variant, string[] args, Action<IServiceCollection>? testServices = null) =>
        Build(CreateBuilder(args), variant, testServices);

    private static WebApplicationBuilder CreateBuilder(string[] args) => WebApplication.CreateBuilder(new WebApplicationOptions
    {
        Args = args,
        // The host's assembly: MVC finds the monolith's controllers there.
        ApplicationName = typeof(MonolithProgram).Assembly.GetName().Name,
        EnvironmentName = Environments.Production,
        // Its own appsettings.json: the test output folder also holds the folder API's.
        ContentRootPath = Path.Combine(AppContext.BaseDirectory, "monolith"),
    });

    private static WebApplication Build(WebApplicationBuilder builder, MonolithVariant variant, Action<IServiceCollection>? testServices = null)
    {
        builder.Logging.ClearProviders();

        if (variant.Folders == FolderRegistration.BeforeHostServices)
        {
            AddFolders(builder, variant);
        }

        AddHostServices(builder, variant);
        if (variant.Folders == FolderRegistration.AfterHostServices)
        {
            AddFolders(builder, variant);
        }

        testServices?.Invoke(builder.Services);

        var app = builder.Build();
        app.Use(EchoRequestId);
        app.UseForwardedHeaders();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRouting();
        app.UseCors(CorsPolicy);
        if (variant.HasAuthentication)
        {
            app.UseAuthentication();
        }

        app.UseAuthorization();
        app.UseRateLimiter();

        app.MapControllers();
        app.MapGet("/hello", () => new Greeting("Hello from the monolith", "minimal api"));
        app.MapOpenApi();
        app.MapHealthChecks("/health");
        app.MapHealthChecks("/health/database", new HealthCheckOptions
        {
            Predicate = check => check.Name == "database",
            ResponseWriter = WriteHealthEntriesAsync,
        });
        if (variant.HasFolders)
        {
            app.MapPersistedFolders();
            app.MapPersistedFolderHealthChecks();
        }

        return app;
    }

    private static void AddHostServices(WebApplicationBuilder builder, MonolithVariant variant)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;

        services.AddNpgsqlDataSource(configuration.GetConnectionString(MonolithDatabase.ConnectionStringName)
            ?? throw new InvalidOperationException("ConnectionStrings:Monolith is not set."));
        services.AddDbContext<MonolithDbContext>(options => options.UseNpgsql());
        services.AddSingleton<FeedbackCounter>();

        services.AddControllers()
            .AddJsonOptions(options => options.JsonSerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.CamelCase);
        services.ConfigureHttpJsonOptions(options => options.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.CamelCase);
        services.AddApiVersioning(options =>
            {
                options.DefaultApiVersion = new ApiVersion(1, 0);
                options.ReportApiVersions = true;
                options.ApiVersionReader = new UrlSegmentApiVersionReader();
            })
            .AddMvc();
        services.AddOpenApi();
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context => context.ProblemDetails.Extensions["service"] = "monolith");

        switch (variant.Authentication)
        {
            case MonolithAuthentication.JwtAsDefault:
                services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
                    .AddJwtBearer(options => MonolithTokens.Configure(options, configuration));
                break;
            case MonolithAuthentication.JwtOnlyNoDefault:
                services.AddAuthentication().AddJwtBearer(options => MonolithTokens.Configure(options, configuration));
                break;
            case MonolithAuthentication.None:
                break;
        }

        services.AddAuthorization(options => options.AddPolicy(EditorPolicy, policy => policy.RequireRole("editor")));
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, MonolithAuthorizationResultHandler>();

        services.AddRateLimiter(options =>
        {
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                context.Request.Headers[TenantHeader] == TrialTenant
                    ? RateLimitPartition.GetFixedWindowLimiter(TrialTenant, _ => new FixedWindowRateLimiterOptions
                    {
                        PermitLimit = TrialPermits,
                        Window = TimeSpan.FromHours(1),
                        QueueLimit = 0,
                    })
                    : RateLimitPartition.GetNoLimiter(string.Empty));
            options.AddFixedWindowLimiter(ReportsPolicy, limiter =>
            {
                limiter.PermitLimit = ReportPermits;
                limiter.Window = TimeSpan.FromHours(1);
                limiter.QueueLimit = 0;
            });
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = async (context, cancellationToken) =>
            {
                context.HttpContext.Response.Headers.RetryAfter = "3600";
                await context.HttpContext.Response.WriteAsJsonAsync(new QuotaExceeded("monolith_quota", "Too many requests for this plan."), cancellationToken);
            };
        });

        services.AddHealthChecks().AddCheck<MonolithDatabaseCheck>("database");
        services.Configure<ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            options.KnownProxies.Add(IPAddress.Loopback);
        });
        services.AddCors(options => options.AddPolicy(CorsPolicy, policy => policy
            .WithOrigins(SpaOrigin)
            .AllowAnyHeader()
            .WithMethods("GET", "POST", "PATCH", "DELETE")
            .WithExposedHeaders(RequestIdHeader)));
    }

    private static void AddFolders(WebApplicationBuilder builder, MonolithVariant variant) =>
        builder.Services.AddPersistedFolders(builder.Configuration, options =>
        {
            if (variant.HasAuthentication)
            {
                options.AuthenticationSchemes.Add(JwtBearerDefaults.AuthenticationScheme);
            }
            options.MapHostUser = principal =>
                principal.FindFirst(FolderUserIdClaim)?.Value is { } id && long.TryParse(id, out var folderUserId) ? FolderUser.Existing(folderUserId)
                : principal.FindFirst("sub")?.Value is { } sub ? FolderUser.External(UserIssuer, sub, principal.FindFirst("email")?.Value ?? $"{sub}@monolith.invalid")
                : null;
        });

    /// <summary>Every answer names its request, as the monolith's log lines do (set late: the exception handler clears headers).</summary>
    private static Task EchoRequestId(HttpContext context, RequestDelegate next)
    {
        context.Response.OnStarting(() =>
        {
            context.Response.Headers[RequestIdHeader] = context.TraceIdentifier;
            return Task.CompletedTask;
        });
        return next(context);
    }

    private static Task WriteHealthEntriesAsync(HttpContext context, HealthReport report) =>
        context.Response.WriteAsJsonAsync(new HealthAnswer(
            report.Status.ToString(),
            [.. report.Entries.Select(entry => new HealthEntry(entry.Key, entry.Value.Status.ToString(), entry.Value.Description))]));
}

public sealed record Greeting(string Message, string ServedBy);

public sealed record QuotaExceeded(string ErrorCode, string Detail);

public sealed record HealthAnswer(string OverallStatus, IReadOnlyList<HealthEntry> Entries);

public sealed record HealthEntry(string CheckName, string Status, string? Description);
