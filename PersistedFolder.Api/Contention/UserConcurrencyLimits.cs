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
/// The per-user bound: a <see cref="ConcurrencyLimiter"/> per folder user, so that one user's burst
/// on a hot or locked row holds at most <see cref="UserConcurrencyOptions.MaxConcurrentPerUser"/>
/// pooled connections and everyone else keeps the rest. Partitions live while a user has operations
/// running or queued and are dropped about 10 s after (the partitioned limiter's idle rule), so the
/// state follows the users active now, not every user ever seen.
/// </summary>
public sealed class UserConcurrencyLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<long> limiter;

    public UserConcurrencyLimiter(IOptions<UserConcurrencyOptions> options)
    {
        Options = options.Value;
        var configured = Options;
        limiter = PartitionedRateLimiter.Create<long, long>(userId => RateLimitPartition.GetConcurrencyLimiter(userId, _ => new ConcurrencyLimiterOptions
        {
            PermitLimit = configured.MaxConcurrentPerUser,
            QueueLimit = configured.QueueLimitPerUser,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        }));
    }

    public UserConcurrencyOptions Options { get; }

    /// <summary>A lease for one operation of <paramref name="userId"/>, or null when refused (queue full or the wait ran out).</summary>
    public async ValueTask<RateLimitLease?> AcquireAsync(long userId, CancellationToken requestAborted)
    {
        var lease = limiter.AttemptAcquire(userId);
        if (lease.IsAcquired)
        {
            return lease;
        }

        lease.Dispose();
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);
        wait.CancelAfter(Options.QueueWaitMilliseconds);
        try
        {
            lease = await limiter.AcquireAsync(userId, 1, wait.Token);
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

        using var lease = await limiter.AcquireAsync(scope.UserId, http.RequestAborted);
        if (lease is null)
        {
            context.Result = new ApiProblemResult(ApiProblems.Throttled(1));
            return;
        }

        await next();
    }
}

public static class UserConcurrencyLimitsExtensions
{
    public static IServiceCollection AddUserConcurrencyLimits(this IServiceCollection services, IConfiguration section)
    {
        services.Configure<UserConcurrencyOptions>(section);
        services.AddSingleton<UserConcurrencyLimiter>();
        services.AddSingleton<UserConcurrencyFilter>();
        return services;
    }
}
