using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;

namespace PersistedFolder.Data;

/// <summary>
/// The database is reachable but every pooled connection stays in use for longer than
/// <c>PersistedFolder:Database:PoolWaitMilliseconds</c>: the service is busy, not down.
/// </summary>
public sealed class DatabaseBusyException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Opens the request path's connections. Npgsql's <c>Timeout</c> bounds both the TCP connect and
/// the wait for a pooled connection; this bounds the second on its own
/// (<see cref="PersistedFolderDataOptions.PoolWaitMilliseconds"/>), so a full pool is a quick
/// <see cref="DatabaseBusyException"/> while a slow connect still gets the whole connect timeout,
/// and neither is mistaken for the other.
/// </summary>
public sealed class DatabaseConnections(
    [FromKeyedServices(PersistedFolderDataOptions.ServiceKey)] NpgsqlDataSource dataSource, IOptions<PersistedFolderDataOptions> configured)
{
    private readonly PersistedFolderDataOptions options = configured.Value;

    private readonly int maxPoolSize = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString).MaxPoolSize;

    // Connections handed out here and not yet closed (Npgsql keeps its pool statistics internal).
    private int inUse;

    public async ValueTask<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = await OpenOrWaitAsync(cancellationToken);
        Interlocked.Increment(ref inUse);
        connection.StateChange += Closed;
        return connection;
    }

    private async ValueTask<NpgsqlConnection> OpenOrWaitAsync(CancellationToken cancellationToken)
    {
        if (!PoolIsFull())
        {
            return await dataSource.OpenConnectionAsync(cancellationToken);
        }

        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(options.PoolWaitMilliseconds);
        try
        {
            return await dataSource.OpenConnectionAsync(wait.Token);
        }
        catch (OperationCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            throw Busy(exception);
        }
        catch (NpgsqlException exception) when (exception.InnerException is TimeoutException && PoolIsFull())
        {
            // Npgsql's own "connection pool has been exhausted" (its Timeout ran out first).
            throw Busy(exception);
        }
    }

    /// <summary>Opens the pool's minimum of connections at once (at start-up), so the first burst
    /// finds them open; a failure is left to the first request to meet.</summary>
    public async Task WarmUpAsync(CancellationToken cancellationToken)
    {
        var count = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString).MinPoolSize;
        var opened = await Task.WhenAll(Enumerable.Range(0, count).Select(_ => dataSource.OpenConnectionAsync(cancellationToken).AsTask()));
        foreach (var connection in opened)
        {
            await connection.DisposeAsync();
        }
    }

    private bool PoolIsFull() => Volatile.Read(ref inUse) >= maxPoolSize;

    private void Closed(object? sender, System.Data.StateChangeEventArgs change)
    {
        if (change.CurrentState == System.Data.ConnectionState.Closed && sender is NpgsqlConnection connection)
        {
            connection.StateChange -= Closed;
            Interlocked.Decrement(ref inUse);
        }
    }

    private DatabaseBusyException Busy(Exception inner) => new(
        $"Every pooled connection ({maxPoolSize}) stayed in use for {options.PoolWaitMilliseconds} ms.", inner);
}
