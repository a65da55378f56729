using System.Collections.Concurrent;
using System.Threading.RateLimiting;

namespace PersistedFolder.Api.RateLimiting;

/// <summary>
/// The in-process per-key limits: two fixed windows (a short and a long one: a minute and an hour by
/// default) per key, counted lazily when the key is used. Unlike <see cref="PartitionedRateLimiter.Create{TResource, TPartitionKey}"/>,
/// whose timer visits every partition every 100 ms (and keeps a key's hour partition for the hour),
/// nothing runs per key while it is idle: one sweep per short window (at most a minute) drops the
/// keys whose windows have both ended, so memory and idle CPU follow the keys used lately.
/// A request is counted only when both windows allow it.
/// </summary>
public sealed class KeyWindowLimiter : PartitionedRateLimiter<Guid>
{
    private readonly ConcurrentDictionary<Guid, Windows> keys = new();
    private readonly TimeProvider time;
    private readonly ITimer sweep;
    private readonly (int Limit, long Ticks) shortWindow;
    private readonly (int Limit, long Ticks) longWindow;

    public KeyWindowLimiter(int shortLimit, TimeSpan shortSpan, int longLimit, TimeSpan longSpan, TimeProvider time)
    {
        this.time = time;
        shortWindow = (shortLimit, ToTimestamp(shortSpan));
        longWindow = (longLimit, ToTimestamp(longSpan));
        var period = shortSpan < TimeSpan.FromMinutes(1) ? shortSpan : TimeSpan.FromMinutes(1);
        sweep = time.CreateTimer(static state => ((KeyWindowLimiter)state!).ForgetExpired(), this, period, period);
    }

    /// <summary>Keys whose windows are still open (for tests and figures).</summary>
    public int TrackedKeys => keys.Count;

    public override RateLimiterStatistics? GetStatistics(Guid resource) => null;

    /// <summary>Drops a partition at once: one that belongs to no valid key, so that a spray of made-up keys holds no state.</summary>
    public void Forget(Guid resource) => keys.TryRemove(resource, out _);

    /// <summary>Drops every key whose windows have both ended: it would start afresh anyway.</summary>
    public void ForgetExpired()
    {
        var now = time.GetTimestamp();
        foreach (var (id, windows) in keys)
        {
            if (windows.Expired(now, shortWindow.Ticks, longWindow.Ticks))
            {
                keys.TryRemove(new KeyValuePair<Guid, Windows>(id, windows));
            }
        }
    }

    protected override RateLimitLease AttemptAcquireCore(Guid resource, int permitCount)
    {
        var now = time.GetTimestamp();
        var windows = keys.GetOrAdd(resource, static (_, now) => new Windows(now), now);
        var wait = windows.TryCount(now, permitCount, shortWindow, longWindow);
        return wait is null ? Lease.Acquired : new Lease(time.GetElapsedTime(0, wait.Value));
    }

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(Guid resource, int permitCount, CancellationToken cancellationToken) =>
        ValueTask.FromResult(AttemptAcquireCore(resource, permitCount));

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            sweep.Dispose();
        }

        base.Dispose(disposing);
    }

    private long ToTimestamp(TimeSpan span) => (long)(span.TotalSeconds * time.TimestampFrequency);

    private sealed class Windows(long now)
    {
        private long shortStart = now;
        private long longStart = now;
        private int shortCount;
        private int longCount;

        public bool Expired(long now, long shortTicks, long longTicks)
        {
            lock (this)
            {
                return now - shortStart >= shortTicks && now - longStart >= longTicks;
            }
        }

        /// <summary>Null when counted, else how long (in timestamp ticks) until the refusing window reopens.</summary>
        public long? TryCount(long now, int permits, (int Limit, long Ticks) shortWindow, (int Limit, long Ticks) longWindow)
        {
            lock (this)
            {
                if (now - shortStart >= shortWindow.Ticks)
                {
                    shortStart = now;
                    shortCount = 0;
                }

                if (now - longStart >= longWindow.Ticks)
                {
                    longStart = now;
                    longCount = 0;
                }

                if (longCount + permits > longWindow.Limit)
                {
                    return longStart + longWindow.Ticks - now;
                }

                if (shortCount + permits > shortWindow.Limit)
                {
                    return shortStart + shortWindow.Ticks - now;
                }

                shortCount += permits;
                longCount += permits;
                return null;
            }
        }
    }

    private sealed class Lease(TimeSpan? retryAfter) : RateLimitLease
    {
        public static Lease Acquired { get; } = new(null);

        public override bool IsAcquired => retryAfter is null;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = retryAfter;
            return retryAfter is not null && metadataName == MetadataName.RetryAfter.Name;
        }
    }
}
