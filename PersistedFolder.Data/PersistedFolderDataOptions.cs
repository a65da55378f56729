using System.Text.RegularExpressions;

namespace PersistedFolder.Data;

/// <summary>Where the tables live. Bound from <c>ConnectionStrings:PersistedFolder</c> and <c>PersistedFolder:Schema</c>.</summary>
public sealed partial class PersistedFolderDataOptions
{
    public const string ConnectionStringName = "PersistedFolder";
    public const string DefaultSchema = "persisted_folder";

    public string ConnectionString { get; set; } = string.Empty;

    /// <summary>The PostgreSQL schema that holds every table, so a host database can be shared.</summary>
    public string Schema { get; set; } = DefaultSchema;

    /// <summary>The connection string with the schema first on the search path.</summary>
    public string BuildConnectionString() =>
        new Npgsql.NpgsqlConnectionStringBuilder(ConnectionString) { SearchPath = Schema }.ConnectionString;

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            throw new InvalidOperationException(
                $"No database configured: set ConnectionStrings:{ConnectionStringName} (environment variable ConnectionStrings__{ConnectionStringName}).");
        }

        if (!SchemaName().IsMatch(Schema))
        {
            throw new InvalidOperationException($"PersistedFolder:Schema '{Schema}' is not a plain lower-case identifier.");
        }
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex SchemaName();
}
