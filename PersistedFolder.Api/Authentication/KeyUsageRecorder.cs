using System.Collections.Concurrent;
using System.Threading.Channels;
using PersistedFolder.Core.Keys;

namespace PersistedFolder.Api.Authentication;

/// <summary>
/// Records <c>last_used_at</c> off the request path: at most once an hour per key, written in
/// batches within about a second of a use that is due one. A failure to record is logged, never
/// seen by the request.
/// </summary>
public sealed class KeyUsageRecorder(IPersonalApiKeyStore store, TimeProvider time, ILogger<KeyUsageRecorder> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    private readonly Channel<Guid> pending = Channel.CreateBounded<Guid>(
        new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    // When each key was last queued by this process, so a busy key is queued once an hour, not per request.
    private readonly ConcurrentDictionary<Guid, DateTimeOffset> queued = new();

    public void Record(PersonalApiKey key)
    {
        var now = time.GetUtcNow();
        if (key.LastUsedAt is { } last && now - new DateTimeOffset(last, TimeSpan.Zero) < Interval)
        {
            return;
        }

        if (queued.TryGetValue(key.Id, out var at) && now - at < Interval)
        {
            return;
        }

        queued[key.Id] = now;
        pending.Writer.TryWrite(key.Id);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
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
