using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using PersistedFolder.Api.Errors;
using RedisRateLimiting;
using StackExchange.Redis;

namespace PersistedFolder.Api.RateLimiting;

/// <summary>Options of the per-key rate limits: <c>PersistedFolder:RateLimits</c>.</summary>
public sealed class KeyRateLimitOptions
{
    public bool Enabled { get; set; } = true;

    public int PerMinute { get; set; } = 480;

    public int PerHour { get; set; } = 4800;

    /// <summary>The length of the "minute" window (a test may shorten it).</summary>
    public TimeSpan MinuteWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The length of the "hour" window (a test may shorten it).</summary>
    public TimeSpan HourWindow { get; set; } = TimeSpan.FromHours(1);
}

/// <summary>
/// SPEC §8: every request authenticated by a personal API key counts against that key's minute
/// and hour windows, across all folder endpoints. The folder endpoints' own limiter, called by
/// their request filter: a host's rate limiter (its global limiter, policies and <c>OnRejected</c>)
/// is never touched, and the limits hold with or without <c>UseRateLimiter</c> in the host.
/// With a <c>ConnectionStrings:Redis</c>, the windows are counted in Redis (RedisRateLimiting),
/// so every instance of the service shares them; without it, they are counted in this process.
/// </summary>
public sealed class KeyRateLimiter : IDisposable
{
    public const string RedisConnectionStringName = "Redis";

    private readonly PartitionedRateLimiter<Guid>? limiter;

    public KeyRateLimiter(IOptions<KeyRateLimitOptions> configured, SharedRateLimitStore store, TimeProvider time)
    {
        var options = configured.Value;
        if (!options.Enabled)
        {
            return;
        }

        // Issue 11: in process, windows that cost nothing while a key is idle and are forgotten once ended.
        var local = Local = new KeyWindowLimiter(options.PerMinute, options.MinuteWindow, options.PerHour, options.HourWindow, time);
        limiter = store.Multiplexer is { } redis
            ? new SharedOrLocalRateLimiter(
                PartitionedRateLimiter.CreateChained(
                    PerKeyShared(redis, options.PerMinute, options.MinuteWindow),
                    PerKeyShared(redis, options.PerHour, options.HourWindow)),
                local,
                store.Logger)
            : local;
    }

    /// <summary>The in-process windows (also Redis's fallback), or null when the limits are off.</summary>
    public KeyWindowLimiter? Local { get; }

    /// <summary>Counts one request of the key (by <see cref="Authentication.PresentedKey.LimitId"/>, before its lookup): null when it may go on, else the 429 to answer.</summary>
    public async ValueTask<ApiProblem?> AcquireAsync(Guid keyId, CancellationToken cancellationToken)
    {
        if (limiter is null)
        {
            return null;
        }

        using var lease = await limiter.AcquireAsync(keyId, 1, cancellationToken);
        if (lease.IsAcquired)
        {
            return null;
        }

        var wait = RetryAfter(lease) ?? TimeSpan.FromMinutes(1);
        return ApiProblems.Throttled((int)Math.Max(1, Math.Ceiling(wait.TotalSeconds)));
    }

    /// <summary>
    /// A presented key turned out to be no valid key (a 401): its windows, opened before the lookup,
    /// are dropped, so made-up keys leave no state in this process. Redis's windows of such a key
    /// expire with the window.
    /// </summary>
    public void Forget(Guid keyId) => Local?.Forget(keyId);

    public void Dispose() => limiter?.Dispose();

    // The in-process limiters give a TimeSpan; RedisRateLimiting gives whole seconds.
    private static TimeSpan? RetryAfter(RateLimitLease lease) =>
        lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter
        : lease.TryGetMetadata(RateLimitMetadataName.RetryAfter, out var seconds) ? TimeSpan.FromSeconds(seconds)
        : null;

    // Redis keys rl:fw:{persisted_folder:<key id>:<window seconds>} (and its :exp twin).
    private static PartitionedRateLimiter<Guid> PerKeyShared(IConnectionMultiplexer redis, int limit, TimeSpan window) =>
        PartitionedRateLimiter.Create<Guid, string>(keyId =>
            RedisRateLimitPartition.GetFixedWindowRateLimiter(
                $"persisted_folder:{keyId:N}:{(long)window.TotalSeconds}",
                _ => new RedisFixedWindowRateLimiterOptions
                {
                    ConnectionMultiplexerFactory = () => redis,
                    PermitLimit = limit,
                    Window = window,
                }));

    /// <summary>The Redis connection of the shared limits, made once at startup when configured.</summary>
    public sealed class SharedRateLimitStore(IConfiguration configuration, ILogger<SharedRateLimitStore> logger) : IDisposable
    {
        private readonly Lazy<IConnectionMultiplexer?> multiplexer = new(() => Connect(configuration, logger));

        public ILogger Logger => logger;

        public IConnectionMultiplexer? Multiplexer => multiplexer.Value;

        public void Dispose()
        {
            if (multiplexer.IsValueCreated)
            {
                multiplexer.Value?.Dispose();
            }
        }

        private static ConnectionMultiplexer? Connect(IConfiguration configuration, ILogger logger)
        {
            var connectionString = configuration.GetConnectionString(RedisConnectionStringName);
            if (string.IsNullOrWhiteSpace(connectionString))
            {
                return null;
            }

            var options = ConfigurationOptions.Parse(connectionString);
            // Start even while Redis is down (it reconnects in the background), and while it is
            // unreachable fail at once rather than queue commands behind the request.
            options.AbortOnConnectFail = false;
            options.BacklogPolicy = BacklogPolicy.FailFast;
            var connection = ConnectionMultiplexer.Connect(options);
            logger.LogInformation("Per-key rate limits are shared through Redis at {Endpoints} (connected: {Connected}).",
                string.Join(",", options.EndPoints), connection.IsConnected);
            return connection;
        }
    }

    /// <summary>
    /// The shared (Redis) limits, and while Redis cannot be reached the in-process ones, so an
    /// outage of Redis makes the limits per instance for a while rather than failing requests.
    /// </summary>
    private sealed class SharedOrLocalRateLimiter(
        PartitionedRateLimiter<Guid> shared, PartitionedRateLimiter<Guid> local, ILogger logger)
        : PartitionedRateLimiter<Guid>
    {
        private volatile bool degraded;

        public override RateLimiterStatistics? GetStatistics(Guid resource) => null;

        // RedisRateLimiting answers every synchronous attempt with a refusal; AcquireAsync asks Redis.
        protected override RateLimitLease AttemptAcquireCore(Guid resource, int permitCount) =>
            shared.AttemptAcquire(resource, permitCount);

        protected override async ValueTask<RateLimitLease> AcquireAsyncCore(Guid resource, int permitCount, CancellationToken cancellationToken)
        {
            try
            {
                var lease = await shared.AcquireAsync(resource, permitCount, cancellationToken);
                if (degraded)
                {
                    degraded = false;
                    logger.LogInformation("Redis answers again: per-key rate limits are shared again.");
                }

                return lease;
            }
            catch (Exception exception) when (exception is RedisException or TimeoutException)
            {
                if (!degraded)
                {
                    degraded = true;
                    logger.LogWarning("Redis is unreachable ({Reason}): per-key rate limits are counted per instance until it answers.", exception.Message);
                }

                return await local.AcquireAsync(resource, permitCount, cancellationToken);
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                shared.Dispose();
                local.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
