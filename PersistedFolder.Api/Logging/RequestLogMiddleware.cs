using System.Diagnostics;

namespace PersistedFolder.Api.Logging;

/// <summary>
/// One structured log entry per request: method, path, status and duration. Never headers, query
/// strings or bodies, where keys travel. (ASP.NET Core's HttpLogging writes a multi-line message.)
/// </summary>
public sealed partial class RequestLogMiddleware(RequestDelegate next, ILogger<RequestLogMiddleware> logger)
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
            // Source-generated: no template parsing and no boxing on the hot path (issue 9).
            Completed(logger, context.Request.Method, context.Request.Path.Value, context.Response.StatusCode,
                Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    [LoggerMessage(EventId = 0, Level = LogLevel.Information, Message = "{Method} {Path} {StatusCode} {ElapsedMs:0.0}ms")]
    private static partial void Completed(ILogger logger, string method, string? path, int statusCode, double elapsedMs);
}
