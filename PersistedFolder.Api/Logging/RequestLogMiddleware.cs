using System.Diagnostics;
using PersistedFolder.Api.Errors;

namespace PersistedFolder.Api.Logging;

/// <summary>
/// One structured log entry per request: method, path, status and duration. Never headers, query
/// strings or bodies, where keys travel. (ASP.NET Core's HttpLogging writes a multi-line message.)
/// A client that went away is this one entry at information level, status 499, and nothing else:
/// its exception stops here rather than reaching Kestrel's error log.
/// </summary>
public sealed class RequestLogMiddleware(RequestDelegate next, ILogger<RequestLogMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var aborted = false;
        try
        {
            await next(context);
        }
        catch (Exception exception) when (ClientFaults.IsClientAbort(context, exception))
        {
            aborted = true;
        }
        finally
        {
            if (logger.IsEnabled(LogLevel.Information))
            {
                logger.LogInformation(
                    "{Method} {Path} {StatusCode} {ElapsedMs:0.0}ms",
                    context.Request.Method,
                    context.Request.Path.Value,
                    aborted ? ClientFaults.ClientClosedRequest : context.Response.StatusCode,
                    Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }
    }
}
