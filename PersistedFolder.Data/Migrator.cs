using System.Reflection;
using DbUp;
using DbUp.Engine.Output;
using Npgsql;

namespace PersistedFolder.Data;

/// <summary>Applies the embedded, date-prefixed SQL scripts with DbUp.</summary>
public sealed class Migrator(NpgsqlDataSource dataSource, PersistedFolderDataOptions options)
{
    // One migrator at a time across processes (service instances, admin commands).
    private const long AdvisoryLockKey = 0x5046_4D49_4752; // "PFMIGR"

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_lock(@key)", connection))
        {
            lockCommand.Parameters.AddWithValue("key", AdvisoryLockKey);
            await lockCommand.ExecuteNonQueryAsync(cancellationToken);
        }

        try
        {
            // The schema name is checked against a plain-identifier pattern in the options.
            await using (var create = new NpgsqlCommand($"CREATE SCHEMA IF NOT EXISTS \"{options.Schema}\"", connection))
            {
                await create.ExecuteNonQueryAsync(cancellationToken);
            }

            var upgrader = Upgrader(transactionPerScript: true);
            if (!upgrader.IsUpgradeRequired())
            {
                return;
            }

            var result = upgrader.PerformUpgrade();
            if (!result.Successful)
            {
                throw new InvalidOperationException($"Migration {result.ErrorScript?.Name} failed.", result.Error);
            }
        }
        finally
        {
            await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", connection);
            unlock.Parameters.AddWithValue("key", AdvisoryLockKey);
            await unlock.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    /// <summary>True when the schema has every script applied (readiness).</summary>
    public bool IsUpToDate() => !Upgrader(transactionPerScript: false).IsUpgradeRequired();

    private DbUp.Engine.UpgradeEngine Upgrader(bool transactionPerScript)
    {
        var builder = DeployChanges.To
            .PostgresqlDatabase(options.BuildConnectionString(), options.Schema)
            .WithScriptsEmbeddedInAssembly(Assembly.GetExecutingAssembly(), name => name.EndsWith(".sql", StringComparison.Ordinal))
            .JournalToPostgresqlTable(options.Schema, "schema_versions")
            .LogTo(new NoOpUpgradeLog());
        return (transactionPerScript ? builder.WithTransactionPerScript() : builder).Build();
    }
}
