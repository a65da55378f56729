using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging.Console;
using PersistedFolder.Api.Logging;
using PersistedFolder.Api.Shutdown;

namespace PersistedFolder.Api;

/// <summary>
/// What the standalone service adds around the folder API for every request it serves, things a
/// host application decides for itself and so never gets from <see cref="DependencyInjection"/>:
/// one log line per request, <c>X-Content-Type-Options</c>, forwarded headers from configured
/// proxies, the "Endpoint not found." answer for any path under <c>/api/</c>, and no Hosting
/// request events in the logs.
/// </summary>
public static class StandaloneService
{
    /// <summary>
    /// The service's logging. Hosting's "Request starting/finished" events carry the query string,
    /// where a <c>personal_api_key</c> may travel: they stay out of the service's logs whatever the
    /// configuration. The console logger, where the host builder added one, becomes
    /// <see cref="BatchingConsoleLoggerProvider"/>: the same lines, written in batches.
    /// </summary>
    public static ILoggingBuilder AddPersistedFolderServiceLogging(this ILoggingBuilder logging)
    {
        var console = logging.Services.Where(d => d.ServiceType == typeof(ILoggerProvider) && d.ImplementationType == typeof(ConsoleLoggerProvider)).ToList();
        if (console.Count > 0)
        {
            console.ForEach(d => logging.Services.Remove(d));
            logging.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ILoggerProvider, BatchingConsoleLoggerProvider>());
        }

        return logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);
    }

    /// <summary>The standalone service's middleware, first in its pipeline.</summary>
    public static WebApplication UsePersistedFolderService(this WebApplication app)
    {
        if (app.Configuration.GetValue("PersistedFolder:RequestLogging", true))
        {
            app.UseMiddleware<RequestLogMiddleware>();
        }

        app.UseShutdownDrain();
        app.Use((context, next) =>
        {
            // On every response, including those an error handler rewrites (clearing headers).
            context.Response.OnStarting(static state =>
            {
                ((HttpResponse)state).Headers.XContentTypeOptions = "nosniff";
                return Task.CompletedTask;
            }, context.Response);
            return next(context);
        });

        // X-Forwarded-Proto/-Host shape the absolute pagination links: honoured only from the
        // proxies configured under ForwardedHeaders:KnownProxies, never by default.
        var proxies = (app.Configuration.GetSection("ForwardedHeaders:KnownProxies").Get<string[]>() ?? []).Select(IPAddress.Parse).ToList();
        if (proxies.Count > 0)
        {
            var forwarded = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost };
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            proxies.ForEach(forwarded.KnownProxies.Add);
            app.UseForwardedHeaders(forwarded);
        }

        return app;
    }

    /// <summary>"Endpoint not found." for every other path under <c>/api/</c>: the service owns them all.</summary>
    public static IEndpointRouteBuilder MapPersistedFolderCatchAll(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapFallback("/api/{**path}", DependencyInjection.EndpointNotFound);
        return endpoints;
    }
}
