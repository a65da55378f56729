using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using PersistedFolder.Data;

namespace PersistedFolder.Api.Health;

/// <summary>Ready when PostgreSQL answers and every migration is applied.</summary>
public sealed class DatabaseReadyCheck(NpgsqlDataSource dataSource, Migrator migrator) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var command = dataSource.CreateCommand("SELECT 1");
            await command.ExecuteScalarAsync(cancellationToken);
            return migrator.IsUpToDate()
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy("Migrations are pending.");
        }
        catch (NpgsqlException exception)
        {
            return HealthCheckResult.Unhealthy("The database is unreachable.", exception);
        }
    }
}
