using System.Net;
using Asp.Versioning;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Mvc.ModelBinding.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using PersistedFolder.Api.Access;
using PersistedFolder.Api.Authentication;
using PersistedFolder.Api.Binding;
using PersistedFolder.Api.Contention;
using PersistedFolder.Api.Contracts;
using PersistedFolder.Api.Controllers;
using PersistedFolder.Api.Errors;
using PersistedFolder.Api.Health;
using PersistedFolder.Api.Json;
using PersistedFolder.Api.Logging;
using PersistedFolder.Api.OpenApi;
using PersistedFolder.Api.Pagination;
using PersistedFolder.Api.RateLimiting;
using PersistedFolder.Api.Routing;
using PersistedFolder.Api.Shutdown;
using PersistedFolder.Core;
using PersistedFolder.Core.Folders;
using PersistedFolder.Data;

namespace PersistedFolder.Api;

public static class DependencyInjection
{
    /// <summary>Everything: the domain, PostgreSQL storage and the HTTP API. A host application may
    /// <paramref name="configure"/> the API, e.g. add its own authentication scheme.</summary>
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
        var section = configuration.GetSection(PersistedFolderApiOptions.Section);
        services.Configure<PersistedFolderApiOptions>(section);
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.Configure<RequestBodyOptions>(section);
        services.Configure<PaginationOptions>(section.GetSection("Pagination"));
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<RequestBodyReader>();
        services.AddSingleton<LimitOffsetPaginator>();
        services.AddSingleton<ProjectAccessFilter>();
        services.AddSingleton<KeyUsageRecorder>();
        services.AddHostedService(sp => sp.GetRequiredService<KeyUsageRecorder>());
        if (section.GetValue(nameof(PersistedFolderApiOptions.MigrateOnStartup), true))
        {
            services.AddHostedService<MigrationHostedService>();
        }

        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, PersonalApiKeyHandler>(PersonalApiKeyDefaults.AuthenticationScheme, null);
        services.AddAuthorization();
        services.AddOptions<AuthorizationOptions>().Configure<IOptions<PersistedFolderApiOptions>>((authorization, api) =>
            authorization.AddPolicy(PersistedFolderAuthorization.Policy, policy => policy
                .AddAuthenticationSchemes([.. api.Value.AuthenticationSchemes])
                .RequireAuthenticatedUser()));
        services.Replace(ServiceDescriptor.Singleton<IAuthorizationMiddlewareResultHandler, PersistedFolderAuthorizationResultHandler>());

        services.TryAddEnumerable(ServiceDescriptor.Singleton<MatcherPolicy, CaseSensitiveFolderRoutes>());

        // Hosting's "Request starting/finished" events carry the query string, where a
        // personal_api_key may travel: keep them out of every log whatever the configuration.
        services.AddLogging(logging => logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning));

        // Only for the folder endpoints: a host's own endpoints keep the host's exception handling.
        services.AddSingleton<ApiExceptionHandler>();
        services.AddExceptionHandler<FolderExceptionHandler>();
        services.Insert(0, ServiceDescriptor.Singleton<IProblemDetailsWriter, ApiProblemDetailsWriter>());
        services.AddProblemDetails();

        services.AddControllers(options =>
            {
                // FolderInput is validated by the domain rules, not by MVC's validator.
                options.ModelMetadataDetailsProviders.Add(new SuppressChildValidationMetadataProvider(typeof(FolderInput)));
            })
            .AddApplicationPart(typeof(PersistedFolderControllerBase).Assembly)
            .ConfigureApiBehaviorOptions(options =>
            {
                // Folder bodies bind without model errors (see FolderInputBinder); any other model
                // error on a folder endpoint is still answered in the API's shape.
                var fallback = options.InvalidModelStateResponseFactory;
                options.InvalidModelStateResponseFactory = context =>
                    FolderEndpoints.IsAction(context.ActionDescriptor)
                        ? new ApiProblemResult(FirstProblem(context.ModelState))
                        : fallback(context);
            });

        services.AddApiVersioning(options =>
            {
                options.DefaultApiVersion = new ApiVersion(1, 0);
                options.AssumeDefaultVersionWhenUnspecified = true;
                options.ReportApiVersions = true;
                options.ApiVersionReader = ApiVersionReader.Combine(
                    new QueryStringApiVersionReader("api-version"),
                    new HeaderApiVersionReader("X-Api-Version"));
            })
            .AddMvc()
            .AddApiExplorer();

        services.AddKeyRateLimits(section.GetSection("RateLimits"));
        services.Configure<ForwardedHeadersOptions>(options =>
        {
            // X-Forwarded-Proto/-Host shape the absolute pagination links: honour them only from
            // the proxies configured under ForwardedHeaders:KnownProxies, never by default.
            options.ForwardedHeaders = ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost;
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
            foreach (var proxy in KnownProxies(configuration))
            {
                options.KnownProxies.Add(proxy);
            }
        });
        services.AddAutoMapper(cfg => cfg.AddProfile<FolderDtoProfile>());
        // A singleton, so that it remembers migrations it has seen applied.
        services.AddSingleton<DatabaseReadyCheck>();
        services.AddHealthChecks().AddCheck<DatabaseReadyCheck>("database", tags: ["ready"]);
        services.AddPersistedFolderOpenApi();

        // Issue 11: the drain on shutdown, the per-user bound on database operations, the pool warm-up.
        services.AddShutdownDrain(section.GetSection("Shutdown"));
        services.AddUserConcurrencyLimits(section.GetSection("Contention"));
        services.AddHostedService<PoolWarmUp>();
        services.Configure<KeyUsageOptions>(section.GetSection("KeyUsage"));
        return services;
    }

    /// <summary>The middleware the folder endpoints need, in order.</summary>
    public static IApplicationBuilder UsePersistedFolders(this IApplicationBuilder app)
    {
        if (app.ApplicationServices.GetRequiredService<IConfiguration>().GetValue("PersistedFolder:RequestLogging", true))
        {
            app.UseMiddleware<RequestLogMiddleware>();
        }

        app.UseShutdownDrain();

        app.Use((context, next) =>
        {
            // On every response, including those the exception handler rewrites (it clears headers).
            context.Response.OnStarting(static state =>
            {
                ((HttpResponse)state).Headers.XContentTypeOptions = "nosniff";
                return Task.CompletedTask;
            }, context.Response);
            return next(context);
        });
        if (KnownProxies(app.ApplicationServices.GetRequiredService<IConfiguration>()).Any())
        {
            app.UseForwardedHeaders();
        }

        app.UseRouting();

        // After routing, to know the endpoint: the folder endpoints' exceptions (their authentication's
        // included) become the API's error bodies; a host's own endpoints keep the host's handling.
        app.UseWhen(context => FolderEndpoints.Is(context.GetEndpoint()), folders => folders.UseExceptionHandler());
        app.Use(ReportApiVersionsOnEveryAnswer);
        app.UseKeyConcurrencyLimits();
        app.UseAuthentication();
        app.UseAuthorization();

        // After authentication, so requests are counted against the key that made them.
        app.UseRateLimiter();
        return app;
    }

    /// <summary>The folder controllers, <c>/_health</c>, <c>/_readyz</c> and the API's 404 for unknown paths.</summary>
    public static IEndpointRouteBuilder MapPersistedFolders(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapControllers();
        endpoints.MapHealthChecks("/_health", new() { Predicate = _ => false });
        endpoints.MapHealthChecks(ShutdownDrain.ReadinessPath, new() { Predicate = check => check.Tags.Contains("ready") });
        endpoints.MapPersistedFolderOpenApi();
        endpoints.MapFallback("/api/{**path}", context => ApiProblemWriter.WriteAsync(context, ApiProblems.EndpointNotFound));
        return endpoints;
    }

    /// <summary>
    /// Asp.Versioning reports <c>api-supported-versions</c> from an action filter; answers cut short
    /// before the action (401, 403, 404 project, 406) would go without it. This reports it on
    /// every answer of a versioned endpoint, once.
    /// </summary>
    private static Task ReportApiVersionsOnEveryAnswer(HttpContext context, RequestDelegate next)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<ApiVersionMetadata>() is { } metadata)
        {
            context.Response.OnStarting(() =>
            {
                if (!context.Response.Headers.ContainsKey("api-supported-versions"))
                {
                    context.RequestServices.GetRequiredService<IReportApiVersions>()
                        .Report(context.Response, metadata.Map(ApiVersionMapping.Explicit | ApiVersionMapping.Implicit));
                }

                return Task.CompletedTask;
            });
        }

        return next(context);
    }

    private static IEnumerable<IPAddress> KnownProxies(IConfiguration configuration) =>
        (configuration.GetSection("ForwardedHeaders:KnownProxies").Get<string[]>() ?? []).Select(IPAddress.Parse);

    private static ApiProblem FirstProblem(ModelStateDictionary modelState)
    {
        var (field, entry) = modelState.First(pair => pair.Value is { Errors.Count: > 0 });
        var error = entry!.Errors[0];
        return ApiProblems.Validation(
            "invalid",
            string.IsNullOrEmpty(error.ErrorMessage) ? "Invalid input." : error.ErrorMessage,
            string.IsNullOrEmpty(field) ? null : field);
    }
}
