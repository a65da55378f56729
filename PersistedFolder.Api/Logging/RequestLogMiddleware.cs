using System.Diagnostics;
using PersistedFolder.Api.Errors;

namespace PersistedFolder.Api.Logging;

/// <summary>
/// One structured log entry per request: method, path, status and duration. Never headers, query
/// strings or bodies, where keys travel. (ASP.NET Core's HttpLogging writes a multi-line message.)
/// A client that went away is this one entry at information level, status 499, and nothing else:
/// its exception stops here rather than reaching Kestrel's error log.
/// </summary>
public sealed partial class RequestLogMiddleware(RequestDelegate next, ILogger<RequestLogMiddleware> logger)
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
            // Source-generated: no template parsing and no boxing on the hot path (issue 9).
            Completed(logger, context.Request.Method, context.Request.Path.Value, aborted ? ClientFaults.ClientClosedRequest : context.Response.StatusCode,
                Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    [LoggerMessage(EventId = 0, Level = LogLevel.Information, Message = "{Method} {Path} {StatusCode} {ElapsedMs:0.0}ms")]
    private static partial void Completed(ILogger logger, string method, string? path, int statusCode, double elapsedMs);
}
