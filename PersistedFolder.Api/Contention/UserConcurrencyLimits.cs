using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

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
        limiter = PartitionedRateLimiter.Create<string, string>(partition => configured.Enabled
            ? RateLimitPartition.GetConcurrencyLimiter(partition, _ => new ConcurrencyLimiterOptions
            {
                PermitLimit = configured.MaxConcurrentPerUser,
                QueueLimit = configured.QueueLimitPerUser,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            })
            : RateLimitPartition.GetNoLimiter(partition));
    }

    public UserConcurrencyOptions Options { get; }

    /// <summary>The partition of a folder user.</summary>
    public static string ForUser(long userId) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"u:{userId}");

    /// <summary>The partition of a presented key: its stored form, never the key itself.</summary>
    public static string ForKey(Authentication.PresentedKey key) => "k:" + key.SecureValue;

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

public static class UserConcurrencyLimitsExtensions
{

    public static IServiceCollection AddUserConcurrencyLimits(this IServiceCollection services, string section)
    {
        services.AddOptions<UserConcurrencyOptions>().BindConfiguration(section);
        services.AddSingleton<UserConcurrencyLimiter>();
        return services;
    }
}
