using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace PersistedFolder.Api.Shutdown;

/// <summary>Options of the graceful shutdown: <c>PersistedFolder:Shutdown</c>.</summary>
public sealed class ShutdownDrainOptions
{
    /// <summary>How long the application keeps serving after it is told to stop (SIGTERM, the host's
    /// stop) before the listener closes: time for a load balancer to see <c>/_readyz</c> turn 503 and
    /// send nothing more. Zero stops at once. It counts against the host's
    /// <c>HostOptions.ShutdownTimeout</c> (30 s by default), which cuts it short. Zero unless configured,
    /// so a host application's shutdown is not delayed unless it asks; the standalone service's
    /// <c>appsettings.json</c> sets 5 s.</summary>
    public TimeSpan DrainPeriod { get; set; }
}

/// <summary>
/// The drain (<c>PersistedFolder:Shutdown</c>): from the moment the application is told to stop, <c>/_readyz</c> answers 503 and every
/// HTTP/1.x response says <c>Connection: close</c>, while requests are still served for
/// <see cref="ShutdownDrainOptions.DrainPeriod"/>; only then do the other services (Kestrel among
/// them) stop, and Kestrel lets in-flight requests finish. A lifecycle service's StoppingAsync runs
/// before any hosted service's StopAsync, whatever the order of registration, so in a host
/// application this delays the host's listener too, when the host configures a period (none by default).
/// </summary>
public sealed class ShutdownDrain(IHostApplicationLifetime lifetime, IOptions<ShutdownDrainOptions> options, ILogger<ShutdownDrain> logger)
    : IHostedLifecycleService, IHealthCheck
{
    /// <summary>The readiness endpoint (mapped by <c>MapPersistedFolders</c>).</summary>
    public const string ReadinessPath = "/_readyz";

    private CancellationTokenRegistration stopping;
    private volatile bool draining;

    /// <summary>True from the moment the application is told to stop.</summary>
    public bool IsDraining => draining;

    public Task StartingAsync(CancellationToken cancellationToken)
    {
        // ApplicationStopping fires on SIGTERM itself, before the host begins to stop its services.
        stopping = lifetime.ApplicationStopping.Register(static state => ((ShutdownDrain)state!).draining = true, this);
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        draining = true;
        var period = options.Value.DrainPeriod;
        if (period <= TimeSpan.Zero)
        {
            return;
        }

        logger.LogInformation("Stopping: /_readyz answers 503; still serving for {DrainSeconds} s before the listener closes.", period.TotalSeconds);
        try
        {
            await Task.Delay(period, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The host's shutdown timeout ran out first: stop now.
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken)
    {
        stopping.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Part of the API's readiness (tag <c>persisted_folder</c>): not ready once stopping.</summary>
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(draining ? HealthCheckResult.Unhealthy("Shutting down.") : HealthCheckResult.Healthy());

    /// <summary>On a folder response during the drain (HTTP/1.x): close the connection after it.</summary>
    public void CloseAfterResponse(HttpResponse response)
    {
        if (draining && response.HttpContext.Request.Protocol is "HTTP/1.1" or "HTTP/1.0")
        {
            response.Headers.Connection = "close";
        }
    }

    /// <summary>
    /// The standalone service's middleware (first in its pipeline), during the drain: <c>/_readyz</c> is 503 at once, without running the health checks (which
    /// would ask the database and log every unhealthy answer as an error); and an HTTP/1.x
    /// connection is closed after its response rather than kept alive into the listener's close
    /// (where a request sent on it would meet a reset).
    /// </summary>
    public Task DuringTheDrain(HttpContext context, RequestDelegate next)
    {
        if (!draining)
        {
            return next(context);
        }

        if (context.Request.Protocol is "HTTP/1.1" or "HTTP/1.0")
        {
            // On starting: the exception handler clears the headers of the answers it rewrites.
            context.Response.OnStarting(static state =>
            {
                ((HttpResponse)state).Headers.Connection = "close";
                return Task.CompletedTask;
            }, context.Response);
        }

        if (context.Request.Path.Equals(ReadinessPath, StringComparison.Ordinal) && (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)))
        {
            // As the health check endpoint answers an unhealthy result.
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.ContentType = "text/plain";
            context.Response.Headers.CacheControl = "no-store, no-cache";
            return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : context.Response.WriteAsync("Unhealthy", context.RequestAborted);
        }

        return next(context);
    }
}

public static class ShutdownDrainExtensions
{
    public static IServiceCollection AddShutdownDrain(this IServiceCollection services, string section)
    {
        services.AddOptions<ShutdownDrainOptions>().BindConfiguration(section);
        services.AddSingleton<ShutdownDrain>();
        services.AddHostedService(sp => sp.GetRequiredService<ShutdownDrain>());
        return services;
    }

    /// <summary>The standalone service's: readiness and <c>Connection: close</c> for every request during the drain.</summary>
    public static IApplicationBuilder UseShutdownDrain(this IApplicationBuilder app)
    {
        var drain = app.ApplicationServices.GetRequiredService<ShutdownDrain>();
        return app.Use(drain.DuringTheDrain);
    }
}
