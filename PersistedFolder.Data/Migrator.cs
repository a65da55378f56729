using System.Reflection;
using DbUp;
using DbUp.Engine.Output;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;

namespace PersistedFolder.Data;

/// <summary>Applies the embedded, date-prefixed SQL scripts with DbUp.</summary>
public sealed class Migrator([FromKeyedServices(PersistedFolderDataOptions.ServiceKey)] NpgsqlDataSource dataSource, IOptions<PersistedFolderDataOptions> configured)
{
    private readonly PersistedFolderDataOptions options = configured.Value;

    // One migrator at a time across processes (service instances, admin commands).
    private const long AdvisoryLockKey = 0x5046_4D49_4752; // "PFMIGR"
    private static readonly TimeSpan LockRetryDelay = TimeSpan.FromMilliseconds(200);

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);

        // The usual case (a further instance, an admin command): nothing to apply, no lock needed.
        if (IsUpToDate())
        {
            await CheckSearchPathAsync(connection, cancellationToken);
            return;
        }

        await using var transaction = await LockAsync(connection, cancellationToken);

        // Outside the lock's transaction, so that DbUp's connections see the schema at once.
        // The schema name is checked against a plain-identifier pattern in the options.
        await using (var create = dataSource.CreateCommand($"CREATE SCHEMA IF NOT EXISTS \"{options.Schema}\""))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        await CheckSearchPathAsync(connection, cancellationToken);
        var upgrader = Upgrader(transactionPerScript: true);
        if (upgrader.IsUpgradeRequired())
        {
            var result = upgrader.PerformUpgrade();
            if (!result.Successful)
            {
                throw new InvalidOperationException($"Migration {result.ErrorScript?.Name} failed.", result.Error);
            }
        }

        await transaction.CommitAsync(CancellationToken.None);
    }

    /// <summary>
    /// Takes the transaction-level advisory lock and returns its open transaction: committing or
    /// disposing it (or losing the connection) releases the lock. Unlike a session-level lock,
    /// this is safe through pgbouncer in transaction pooling mode, where consecutive statements
    /// of one client may run on different server connections. A waiter polls rather than blocks,
    /// so it does not hold a pooled server connection while it waits.
    /// </summary>
    private static async Task<NpgsqlTransaction> LockAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        while (true)
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken);
            try
            {
                await using var tryLock = new NpgsqlCommand("SELECT pg_try_advisory_xact_lock(@key)", connection, transaction);
                tryLock.Parameters.AddWithValue("key", AdvisoryLockKey);
                if (await tryLock.ExecuteScalarAsync(cancellationToken) is true)
                {
                    return transaction;
                }
            }
            catch
            {
                await transaction.DisposeAsync();
                throw;
            }

            await transaction.DisposeAsync();
            await Task.Delay(LockRetryDelay, cancellationToken);
        }
    }

    // Unqualified names resolve through the search_path. Npgsql asks for the schema when it
    // connects, but a pooler may drop that request (pgbouncer's ignore_startup_parameters):
    // refuse to create or use tables anywhere else.
    private async Task CheckSearchPathAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var current = new NpgsqlCommand("SELECT current_schema()", connection);
        var schema = await current.ExecuteScalarAsync(cancellationToken) as string;
        if (schema != options.Schema)
        {
            throw new InvalidOperationException(
                $"The connection's search_path does not start with the schema '{options.Schema}' (current schema: '{schema ?? "none"}'). " +
                $"Through a connection pooler that drops the search_path startup parameter, set it on the server: ALTER ROLE <role> SET search_path = {options.Schema}.");
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
