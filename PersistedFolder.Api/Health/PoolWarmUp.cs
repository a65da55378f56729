using PersistedFolder.Data;

namespace PersistedFolder.Api.Health;

/// <summary>Opens the pool's minimum of connections once the application has started, off the
/// start-up path: a failure (the database not up yet) is left to the first request to meet.</summary>
public sealed class PoolWarmUp(DatabaseConnections connections, ILogger<PoolWarmUp> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await connections.WarmUpAsync(stoppingToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            logger.LogDebug("Could not open the pool's minimum of connections: {Reason}", exception.Message);
        }
        catch (OperationCanceledException)
        {
            // Stopping before the warm-up ended.
        }
    }
}
