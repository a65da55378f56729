using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using PersistedFolder.Data;

namespace PersistedFolder.Api.Health;

/// <summary>Ready when PostgreSQL answers and every migration is applied.</summary>
public sealed class DatabaseReadyCheck([FromKeyedServices(PersistedFolderDataOptions.ServiceKey)] NpgsqlDataSource dataSource, Migrator migrator) : IHealthCheck
{
    // Migrations are never undone while the service runs: once seen applied, asking DbUp again
    // (on its own connections) would only add a second way to fail.
    private volatile bool migrated;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var command = dataSource.CreateCommand("SELECT 1");
            await command.ExecuteScalarAsync(cancellationToken);
            migrated = migrated || migrator.IsUpToDate();
            return migrated ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("Migrations are pending.");
        }
        catch (NpgsqlException exception)
        {
            return HealthCheckResult.Unhealthy($"The database is unreachable: {exception.Message}");
        }
    }
}
