using AutoMapper;
using Microsoft.AspNetCore.Mvc.Controllers;
using Microsoft.AspNetCore.Mvc.Infrastructure;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection.Extensions;
using PersistedFolder.Api.Authentication;
using PersistedFolder.Api.Binding;
using PersistedFolder.Api.Contention;
using PersistedFolder.Api.Contracts;
using PersistedFolder.Api.Controllers;
using PersistedFolder.Api.Errors;
using PersistedFolder.Api.Health;
using PersistedFolder.Api.OpenApi;
using PersistedFolder.Api.Pagination;
using PersistedFolder.Api.RateLimiting;
using PersistedFolder.Api.Routing;
using PersistedFolder.Api.Shutdown;
using PersistedFolder.Core;
using PersistedFolder.Core.Folders;
using PersistedFolder.Core.Keys;
using PersistedFolder.Data;

namespace PersistedFolder.Api;

/// <summary>Names the folder API registers under.</summary>
public static class PersistedFolderApi
{
    /// <summary>The key of the API's own AutoMapper <c>IMapper</c>.</summary>
    public const string ServiceKey = "PersistedFolder.Api";

    /// <summary>The tag of the API's health checks (<c>/_readyz</c> runs these).</summary>
    public const string HealthTag = "persisted_folder";

    /// <summary>The name of the API's database health check.</summary>
    public const string DatabaseHealthCheck = "persisted_folder_database";

    /// <summary>Unhealthy from the moment the application is told to stop (the drain).</summary>
    public const string ShutdownHealthCheck = "persisted_folder_shutdown";
}

/// <summary>
/// The folder API in an application: one services call and one endpoints call. Everything it does to
/// a request is attached to its own endpoints (<see cref="PersistedFolderControllerBase"/> and what
/// <see cref="MapPersistedFolders"/> maps); it registers nothing host-wide that a host may have too
/// (no authentication scheme, no rate limiter, no API versioning of other controllers, no problem
/// details, no forwarded-header or CORS settings) and replaces nothing of the host's, so the order
/// of registration does not matter.
/// </summary>
public static class DependencyInjection
{
    /// <summary>Everything: the domain, PostgreSQL storage and the HTTP API. A host application may
    /// <paramref name="configure"/> the API, e.g. honour its own authentication schemes.</summary>
    public static IServiceCollection AddPersistedFolders(
        this IServiceCollection services, IConfiguration configuration, Action<PersistedFolderApiOptions>? configure = null) =>
        services
            .AddPersistedFolderCore()
            .AddPersistedFolderData(configuration)
            .AddPersistedFolderApi(configuration, configure);

    /// <summary>The controllers (as an application part), authentication, errors, pagination and versioning.</summary>
    public static IServiceCollection AddPersistedFolderApi(
        this IServiceCollection services, IConfiguration configuration, Action<PersistedFolderApiOptions>? configure = null)
    {
        var api = services.AddOptions<PersistedFolderApiOptions>().BindConfiguration(PersistedFolderApiOptions.Section);
        if (configure is not null)
        {
            api.Configure(configure);
        }

        services.AddOptions<RequestBodyOptions>().BindConfiguration(PersistedFolderApiOptions.Section).ValidateOnStart();
        services.AddOptions<PaginationOptions>().BindConfiguration($"{PersistedFolderApiOptions.Section}:Pagination").ValidateOnStart();
        services.AddOptions<KeyRateLimitOptions>().BindConfiguration($"{PersistedFolderApiOptions.Section}:RateLimits").ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<RequestBodyReader>();
        services.TryAddSingleton<LimitOffsetPaginator>();
        services.TryAddSingleton<FolderAuthenticator>();
        services.TryAddSingleton<KeyRateLimiter.SharedRateLimitStore>();
        services.TryAddSingleton<KeyRateLimiter>();
        services.TryAddSingleton<ApiExceptionHandler>();
        services.TryAddSingleton<FolderRequestFilter>();
        services.TryAddSingleton<KeyUsageRecorder>();
        services.AddHostedService(sp => sp.GetRequiredService<KeyUsageRecorder>());
        services.Replace(ServiceDescriptor.Singleton<IKeyUsage>(sp => sp.GetRequiredService<KeyUsageRecorder>()));
        if (configuration.GetValue($"{PersistedFolderApiOptions.Section}:{nameof(PersistedFolderApiOptions.MigrateOnStartup)}", true))
        {
            services.AddHostedService<MigrationHostedService>();
        }

        // The API's own mapper, keyed: a host's AutoMapper configuration neither sees nor validates our maps.
        services.TryAddKeyedSingleton<IMapper>(PersistedFolderApi.ServiceKey, (_, _) =>
            new MapperConfiguration(cfg => cfg.AddProfile<FolderDtoProfile>()).CreateMapper());

        // Matches only the folder endpoints (case-sensitive literals, as PostHog's URLs are).
        services.TryAddEnumerable(ServiceDescriptor.Singleton<MatcherPolicy, CaseSensitiveFolderRoutes>());

        services.AddControllers(options =>
                // FolderInput is validated by the domain rules, not by MVC's validator.
                options.ModelMetadataDetailsProviders.Add(new SuppressChildValidationMetadataProvider(typeof(FolderInput))))
            .AddApplicationPart(typeof(PersistedFolderControllerBase).Assembly);

        // A singleton, so that it remembers migrations it has seen applied.
        services.TryAddSingleton<DatabaseReadyCheck>();
        services.AddHealthChecks().AddCheck<DatabaseReadyCheck>(PersistedFolderApi.DatabaseHealthCheck, tags: [PersistedFolderApi.HealthTag]);
        services.AddPersistedFolderOpenApi();

        // Issue 11: the drain on shutdown (readiness and Connection: close), the per-key and per-user
        // bound on database operations, the pool warm-up, the expiring key-usage memo.
        services.AddShutdownDrain($"{PersistedFolderApiOptions.Section}:Shutdown");
        services.AddHealthChecks().AddCheck<ShutdownDrain>(PersistedFolderApi.ShutdownHealthCheck, tags: [PersistedFolderApi.HealthTag]);
        services.AddUserConcurrencyLimits($"{PersistedFolderApiOptions.Section}:Contention");
        services.AddHostedService<PoolWarmUp>();
        services.AddOptions<KeyUsageOptions>().BindConfiguration($"{PersistedFolderApiOptions.Section}:KeyUsage");
        return services;
    }

    /// <summary>
    /// The folder controllers, the OpenAPI document (<c>/api/schema/</c>) and reference (<c>/api/docs/</c>),
    /// and the API's 404 ("Endpoint not found.") for unknown paths under the folder routes' own prefixes.
    /// Nothing is needed in the host's pipeline.
    /// </summary>
    public static IEndpointRouteBuilder MapPersistedFolders(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapControllers();
        endpoints.MapPersistedFolderOpenApi();
        foreach (var prefix in FolderRoutePrefixes(endpoints.ServiceProvider))
        {
            endpoints.MapFallback($"{prefix}/{{**path}}", EndpointNotFound);
        }

        return endpoints;
    }

    /// <summary><c>GET /_health</c> (process up) and <c>GET /_readyz</c> (database reachable and migrated).</summary>
    public static IEndpointRouteBuilder MapPersistedFolderHealthChecks(
        this IEndpointRouteBuilder endpoints, string health = "/_health", string ready = "/_readyz")
    {
        endpoints.MapHealthChecks(health, new() { Predicate = _ => false });
        endpoints.MapHealthChecks(ready, new() { Predicate = check => check.Tags.Contains(PersistedFolderApi.HealthTag) });
        return endpoints;
    }

    internal static Task EndpointNotFound(HttpContext context)
    {
        context.Response.Headers.XContentTypeOptions = "nosniff";
        return ApiProblemWriter.WriteAsync(context, ApiProblems.EndpointNotFound);
    }

    /// <summary>The collection routes of the surface controllers, e.g. <c>api/projects/{project_id}/persisted_folder</c>.</summary>
    private static IEnumerable<string> FolderRoutePrefixes(IServiceProvider services) =>
        services.GetRequiredService<IActionDescriptorCollectionProvider>().ActionDescriptors.Items
            .OfType<ControllerActionDescriptor>()
            .Where(FolderEndpoints.IsAction)
            .Select(action => action.AttributeRouteInfo?.Template)
            .OfType<string>()
            .Where(template => !template.Contains("{id}", StringComparison.Ordinal))
            .Distinct(StringComparer.Ordinal);
}
