using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace PersistedFolder.Tests.Integration.Hosting.Monolith;

/// <summary>
/// The monolith's own database, beside the folder API's in the same test cluster: the integration
/// database's name with <c>_monolith</c> appended, made once per run (dropped first), its tables
/// made by EF Core from <see cref="MonolithDbContext"/>, its seed rows restored before every host run.
/// </summary>
public static class MonolithDatabase
{
    public const string ConnectionStringName = "Monolith";

    /// <summary>The notes every host run starts with, by id.</summary>
    public static readonly IReadOnlyList<(long Id, string Title, string CreatedBy)> Seed =
    [
        (1, "Quarterly plan", "ada"),
        (2, "Release notes", "grace"),
    ];

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static string? connectionString;

    /// <summary>The host's connection string: the same server and credentials as the folder API's, another database.</summary>
    public static string ConnectionString => connectionString ?? throw new InvalidOperationException("Call EnsureCreatedAsync first.");

    public static string Name => new NpgsqlConnectionStringBuilder(ConnectionString).Database!;

    /// <summary>Creates the database and its tables on first call of the run.</summary>
    public static async Task EnsureCreatedAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (connectionString is not null)
            {
                return;
            }

            var server = new NpgsqlConnectionStringBuilder(IntegrationDatabase.RequireConnectionString());
            var name = $"{server.Database ?? "postgres"}_monolith";
            await using (var admin = NpgsqlDataSource.Create(server.ConnectionString))
            {
                // Identifiers cannot be parameters; the name is ours, quoted.
                await using var drop = admin.CreateCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
                await drop.ExecuteNonQueryAsync();
                await using var create = admin.CreateCommand($"CREATE DATABASE \"{name}\"");
                await create.ExecuteNonQueryAsync();
            }

            var own = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = name, SearchPath = null }.ConnectionString;
            var options = new DbContextOptionsBuilder<MonolithDbContext>().UseNpgsql(own).Options;
            await using (var context = new MonolithDbContext(options))
            {
                await context.Database.EnsureCreatedAsync();
            }

            connectionString = own;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>Back to the seed rows, identities restarted, so every host run sees the same ids.</summary>
    public static async Task ResetAsync()
    {
        await using var dataSource = NpgsqlDataSource.Create(ConnectionString);
        await using var reset = dataSource.CreateCommand("TRUNCATE note RESTART IDENTITY");
        await reset.ExecuteNonQueryAsync();
        foreach (var (_, title, createdBy) in Seed)
        {
            await using var insert = dataSource.CreateCommand("INSERT INTO note (title, created_by) VALUES ($1, $2)");
            insert.Parameters.AddWithValue(title);
            insert.Parameters.AddWithValue(createdBy);
            await insert.ExecuteNonQueryAsync();
        }
    }
}
