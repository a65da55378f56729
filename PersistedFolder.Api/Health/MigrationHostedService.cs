using Npgsql;
using PersistedFolder.Data;

namespace PersistedFolder.Api.Health;

/// <summary>Applies pending migrations before the application starts serving, waiting for the database to come up.</summary>
public sealed class MigrationHostedService(Migrator migrator, IConfiguration configuration, ILogger<MigrationHostedService> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddSeconds(configuration.GetValue("PersistedFolder:StartupDatabaseWaitSeconds", 30));
        while (true)
        {
            try
            {
                await migrator.MigrateAsync(cancellationToken);
                return;
            }
            catch (NpgsqlException exception) when (exception is not PostgresException && DateTime.UtcNow < deadline)
            {
                logger.LogWarning("Waiting for the database: {Reason}", exception.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
