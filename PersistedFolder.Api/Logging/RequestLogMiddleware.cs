using System.Diagnostics;

namespace PersistedFolder.Api.Logging;

/// <summary>
/// One structured log entry per request: method, path, status and duration. Never headers, query
/// strings or bodies, where keys travel. (ASP.NET Core's HttpLogging writes a multi-line message.)
/// </summary>
public sealed class RequestLogMiddleware(RequestDelegate next, ILogger<RequestLogMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await next(context);
        }
        finally
        {
            if (logger.IsEnabled(LogLevel.Information))
            {
                logger.LogInformation(
                    "{Method} {Path} {StatusCode} {ElapsedMs:0.0}ms",
                    context.Request.Method,
                    context.Request.Path.Value,
                    context.Response.StatusCode,
                    Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }
    }
}
