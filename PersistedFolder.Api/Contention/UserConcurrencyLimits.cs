using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.Extensions.Options;
using PersistedFolder.Api.Access;
using PersistedFolder.Api.Errors;

namespace PersistedFolder.Api.Contention;

/// <summary>Options of the per-user bound on folder operations: <c>PersistedFolder:Contention</c>.</summary>
public sealed class UserConcurrencyOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>Folder operations (each one database statement and its pooled connection) one user may run at once.</summary>
    public int MaxConcurrentPerUser { get; set; } = 8;

    /// <summary>Operations of one user that may wait for a turn (holding no connection); more are refused at once.</summary>
    public int QueueLimitPerUser { get; set; } = 64;

    /// <summary>The longest an operation waits for its turn before it is refused.</summary>
    public int QueueWaitMilliseconds { get; set; } = 2000;
}

/// <summary>
/// The bound: a <see cref="ConcurrencyLimiter"/> per personal API key (for the whole request, its
/// key lookup and access check included) and per folder user (for the folder operation, whatever
/// authenticated it), so that one key's or user's burst on a hot or locked row holds at most
/// <see cref="UserConcurrencyOptions.MaxConcurrentPerUser"/> pooled connections and everyone else
/// keeps the rest. Partitions live while they have operations running or queued and are dropped
/// about 10 s after (the partitioned limiter's idle rule), so the state follows who is active now,
/// not every key ever seen.
/// </summary>
public sealed class UserConcurrencyLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string> limiter;

    public UserConcurrencyLimiter(IOptions<UserConcurrencyOptions> options)
    {
        Options = options.Value;
        var configured = Options;
        limiter = PartitionedRateLimiter.Create<string, string>(partition => RateLimitPartition.GetConcurrencyLimiter(partition, _ => new ConcurrencyLimiterOptions
        {
            PermitLimit = configured.MaxConcurrentPerUser,
            QueueLimit = configured.QueueLimitPerUser,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        }));
    }

    public UserConcurrencyOptions Options { get; }

    /// <summary>The partition of a folder user.</summary>
    public static string ForUser(long userId) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"u:{userId}");

    /// <summary>The partition of a presented key: its stored form, never the key itself.</summary>
    public static string ForKey(string key) => "k:" + Core.Keys.PersonalApiKeys.SecureValue(key);

    /// <summary>A lease for one operation of <paramref name="partition"/>, or null when refused (queue full or the wait ran out).</summary>
    public async ValueTask<RateLimitLease?> AcquireAsync(string partition, CancellationToken requestAborted)
    {
        var lease = limiter.AttemptAcquire(partition);
        if (lease.IsAcquired)
        {
            return lease;
        }

        lease.Dispose();
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);
        wait.CancelAfter(Options.QueueWaitMilliseconds);
        try
        {
            lease = await limiter.AcquireAsync(partition, 1, wait.Token);
        }
        catch (OperationCanceledException) when (!requestAborted.IsCancellationRequested)
        {
            return null;
        }

        if (lease.IsAcquired)
        {
            return lease;
        }

        lease.Dispose();
        return null;
    }

    public void Dispose() => limiter.Dispose();
}

/// <summary>Runs a folder action within its user's bound; a refused one is a 429 <c>throttled</c>
/// with <c>Retry-After: 1</c>, before anything is read or written.</summary>
public sealed class UserConcurrencyFilter(UserConcurrencyLimiter limiter) : IAsyncActionFilter
{
    public async Task OnActionExecutionAsync(ActionExecutingContext context, ActionExecutionDelegate next)
    {
        var http = context.HttpContext;
        if (!limiter.Options.Enabled || http.Features.Get<ProjectScopeFeature>() is not { } scope)
        {
            await next();
            return;
        }

        using var lease = await limiter.AcquireAsync(UserConcurrencyLimiter.ForUser(scope.UserId), http.RequestAborted);
        if (lease is null)
        {
            context.Result = new ApiProblemResult(ApiProblems.Throttled(1));
            return;
        }

        await next();
    }
}

/// <summary>
/// The per-key bound around the whole folder request, before authentication: a key sent as
/// <c>Authorization: Bearer</c> or in the query string (a body key is only known once the body is
/// read; its operations are still bounded per user by <see cref="UserConcurrencyFilter"/>).
/// </summary>
public sealed class KeyConcurrencyMiddleware(RequestDelegate next, UserConcurrencyLimiter limiter)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (!limiter.Options.Enabled || !Controllers.FolderEndpoints.Is(context.GetEndpoint()) || PresentedKey(context.Request) is not { } key)
        {
            await next(context);
            return;
        }

        using var lease = await limiter.AcquireAsync(UserConcurrencyLimiter.ForKey(key), context.RequestAborted);
        if (lease is null)
        {
            await ApiProblemWriter.WriteAsync(context, ApiProblems.Throttled(1));
            return;
        }

        await next(context);
    }

    private static string? PresentedKey(HttpRequest request) =>
        request.Headers.Authorization is [{ } header, ..] && header.StartsWith("Bearer ", StringComparison.Ordinal) && header.Length > 7
            ? header[7..].Trim()
            : request.Query[Authentication.PersonalApiKeyDefaults.FieldName] is [.., { Length: > 0 } fromQuery] ? fromQuery : null;
}

public static class UserConcurrencyLimitsExtensions
{
    /// <summary>After routing (to know the endpoint), before authentication (the key lookup is a database operation too).</summary>
    public static IApplicationBuilder UseKeyConcurrencyLimits(this IApplicationBuilder app) => app.UseMiddleware<KeyConcurrencyMiddleware>();

    public static IServiceCollection AddUserConcurrencyLimits(this IServiceCollection services, IConfiguration section)
    {
        services.Configure<UserConcurrencyOptions>(section);
        services.AddSingleton<UserConcurrencyLimiter>();
        services.AddSingleton<UserConcurrencyFilter>();
        return services;
    }
}
