using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using PersistedFolder.Core.Keys;

namespace PersistedFolder.Api.Authentication;

/// <summary>
/// Records <c>last_used_at</c> off the request path: at most once an hour per key, written in
/// batches within about a second of a use that is due one. A failure to record is logged, never
/// seen by the request.
/// </summary>
public sealed class KeyUsageRecorder(
    IPersonalApiKeyStore store, TimeProvider time, IOptions<KeyUsageOptions> options, ILogger<KeyUsageRecorder> logger) : BackgroundService, IKeyUsage
{
    private readonly TimeSpan interval = options.Value.RememberFor;

    private readonly Channel<Guid> pending = Channel.CreateBounded<Guid>(
        new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    // When each key was last queued by this process, so a busy key is queued once an hour, not per request.
    private readonly ConcurrentDictionary<Guid, DateTimeOffset> queued = new();

    public void Record(PersonalApiKey key)
    {
        var now = time.GetUtcNow();
        if (key.LastUsedAt is { } last && now - new DateTimeOffset(last, TimeSpan.Zero) < interval)
        {
            return;
        }

        if (queued.TryGetValue(key.Id, out var at) && now - at < interval)
        {
            return;
        }

        queued[key.Id] = now;
        pending.Writer.TryWrite(key.Id);
    }

    /// <summary>Keys remembered as queued (for tests and figures).</summary>
    public int RememberedKeys => queued.Count;

    /// <summary>Forgets every key queued longer ago than the interval: the memo holds the keys used
    /// in the last interval, not every key ever seen.</summary>
    public void ForgetExpired()
    {
        var now = time.GetUtcNow();
        foreach (var (id, at) in queued)
        {
            if (now - at >= interval)
            {
                queued.TryRemove(new KeyValuePair<Guid, DateTimeOffset>(id, at));
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // A sweep per interval (at most a minute apart): idle, it costs one pass over the keys used lately.
        var period = interval < TimeSpan.FromMinutes(1) ? interval : TimeSpan.FromMinutes(1);
        await using var sweep = time.CreateTimer(static state => ((KeyUsageRecorder)state!).ForgetExpired(), this, period, period);
        var batch = new HashSet<Guid>();
        while (await WaitForUsesAsync(stoppingToken))
        {
            while (pending.Reader.TryRead(out var id))
            {
                batch.Add(id);
            }

            try
            {
                await store.MarkUsedAsync(batch, stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // Forget them so the next use queues them again.
                foreach (var id in batch)
                {
                    queued.TryRemove(id, out _);
                }

                logger.LogWarning(exception, "Could not record the last use of {Count} personal API keys.", batch.Count);
            }

            batch.Clear();
        }
    }

    // Stopping (or a start-up that failed) is not an error of this service.
    private async Task<bool> WaitForUsesAsync(CancellationToken stoppingToken)
    {
        try
        {
            return await pending.Reader.WaitToReadAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return false;
        }
    }
}

/// <summary>Options of <see cref="KeyUsageRecorder"/>: <c>PersistedFolder:KeyUsage</c>.</summary>
public sealed class KeyUsageOptions
{
    /// <summary>How long this process remembers that it recorded a key's use (so a busy key is written
    /// once per period, not per request); then it forgets the key. The database statement itself
    /// never writes a key's <c>last_used_at</c> more than once an hour, whatever this says.</summary>
    public TimeSpan RememberFor { get; set; } = TimeSpan.FromHours(1);
}
