using Npgsql;
using PersistedFolder.Data;

namespace PersistedFolder.Tests.Integration;

/// <summary>
/// The PostgreSQL database the integration tests run against: the connection string from
/// <c>ConnectionStrings__PersistedFolder</c> and a schema of their own, built by the real migrations.
/// </summary>
public static class IntegrationDatabase
{
    public const string ConnectionStringVariable = "ConnectionStrings__PersistedFolder";

    /// <summary>The tests' own schema, so they never touch the default <c>persisted_folder</c> one.</summary>
    public const string Schema = "pf_it";

    // Children before parents; schema_versions (DbUp's journal) stays. DELETE rather than TRUNCATE:
    // on tables this small it takes well under a millisecond, TRUNCATE about 30 ms, once per test.
    private const string ResetSql = """
        DELETE FROM persisted_folder;
        DELETE FROM personal_api_key;
        DELETE FROM organization_membership;
        DELETE FROM app_user;
        DELETE FROM team;
        DELETE FROM organization;
        """;

    private static readonly Lazy<NpgsqlDataSource> LazyDataSource = new(() =>
        new NpgsqlDataSourceBuilder(new NpgsqlConnectionStringBuilder(ConnectionString) { SearchPath = Schema }.ConnectionString).Build());

    public static string? ConnectionString => Environment.GetEnvironmentVariable(ConnectionStringVariable) is { Length: > 0 } value ? value : null;

    /// <summary>A data source whose search path is the tests' schema, for planting and checking rows.</summary>
    public static NpgsqlDataSource DataSource => LazyDataSource.Value;

    /// <summary>
    /// Skips the calling fixture with a clear reason when no database is configured, and fails it
    /// on a build server (<c>CI</c> set), where a missing database is a broken pipeline, not a choice
    /// (npgsql's <c>TestUtil.IgnoreExceptOnBuildServer</c>).
    /// </summary>
    public static string RequireConnectionString()
    {
        if (ConnectionString is { } value)
        {
            return value;
        }

        var reason = $"Integration tests need PostgreSQL: set {ConnectionStringVariable} "
            + "(scripts/test.sh starts a throwaway server and sets it).";
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")))
        {
            Assert.Fail(reason);
        }

        Assert.Ignore(reason);
        return string.Empty;
    }

    /// <summary>Drops the tests' schema and builds it anew with the product's migrations.</summary>
    public static async Task RecreateSchemaAsync()
    {
        await ExecuteAsync($"DROP SCHEMA IF EXISTS {Schema} CASCADE");
        var options = new PersistedFolderDataOptions { ConnectionString = RequireConnectionString(), Schema = Schema };
        await using var dataSource = NpgsqlDataSource.Create(options.BuildConnectionString());
        await new Migrator(dataSource, Microsoft.Extensions.Options.Options.Create(options)).MigrateAsync(CancellationToken.None);
    }

    public static ValueTask DisposeAsync() => LazyDataSource.IsValueCreated ? LazyDataSource.Value.DisposeAsync() : ValueTask.CompletedTask;

    /// <summary>Empties every table and restarts the identities.</summary>
    public static Task ResetAsync() => ExecuteAsync(ResetSql);

    public static async Task<int> ExecuteAsync(string sql, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(sql, parameters);
        return await command.ExecuteNonQueryAsync();
    }

    public static async Task<T> ScalarAsync<T>(string sql, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(sql, parameters);
        var value = await command.ExecuteScalarAsync();
        return value is null or DBNull ? default! : (T)value;
    }

    private static NpgsqlCommand Command(string sql, (string Name, object? Value)[] parameters)
    {
        var command = DataSource.CreateCommand(sql);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }
}

/// <summary>Once per run, before any integration fixture: the schema comes from the real migrations.</summary>
[SetUpFixture]
public sealed class IntegrationSetUp
{
    [OneTimeSetUp]
    public async Task BuildSchemaFromMigrations()
    {
        IntegrationDatabase.RequireConnectionString();
        await IntegrationDatabase.RecreateSchemaAsync();
    }

    [OneTimeTearDown]
    public Task CloseConnections() => IntegrationDatabase.DisposeAsync().AsTask();
}
