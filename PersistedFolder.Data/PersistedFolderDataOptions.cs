using System.Text.RegularExpressions;

namespace PersistedFolder.Data;

/// <summary>Where the tables live and how to reach them: <c>ConnectionStrings:PersistedFolder</c>,
/// <c>PersistedFolder:Schema</c> and the <c>PersistedFolder:Database</c> section.</summary>
public sealed partial class PersistedFolderDataOptions
{
    public const string ConnectionStringName = "PersistedFolder";
    public const string DefaultSchema = "persisted_folder";
    public const string Section = "PersistedFolder:Database";
    public const string SchemaKey = "PersistedFolder:Schema";

    /// <summary>The key of the API's own <see cref="Npgsql.NpgsqlDataSource"/> in the container.</summary>
    public const string ServiceKey = "PersistedFolder";

    /// <summary>The key of the data layer's own AutoMapper <c>IMapper</c>.</summary>
    public const string MapperKey = "PersistedFolder.Data";

    public string ConnectionString { get; set; } = string.Empty;

    /// <summary>The PostgreSQL schema that holds every table, so a host database can be shared.</summary>
    public string Schema { get; set; } = DefaultSchema;

    /// <summary>Connect timeout (Npgsql <c>Timeout</c>) unless the connection string sets one
    /// (<c>PersistedFolder:Database:ConnectTimeoutSeconds</c>). A refused connection fails at once
    /// whatever this says; this is for a connect that is slow (a busy host, a cold pool's burst).
    /// The wait for a pooled connection is bounded apart, by <see cref="PoolWaitMilliseconds"/>.</summary>
    public int ConnectTimeoutSeconds { get; set; } = 5;

    /// <summary>Command timeout unless the connection string sets one (<c>PersistedFolder:Database:CommandTimeoutSeconds</c>).</summary>
    public int CommandTimeoutSeconds { get; set; } = 5;

    /// <summary>Npgsql multiplexing unless the connection string says otherwise
    /// (<c>PersistedFolder:Database:Multiplexing</c>): concurrent requests' commands share physical
    /// connections and go out in one socket write. Off by default: see README, Performance.</summary>
    public bool Multiplexing { get; set; }

    // Issue 11's contention settings, kept together.

    /// <summary>The longest a folder write waits for a row lock (PostgreSQL <c>lock_timeout</c>, set
    /// for the write's own transaction): well under the command timeout, so a row held by another
    /// transaction gives a quick 409 instead of holding a pooled connection. 0 = no limit.</summary>
    public int LockTimeoutMilliseconds { get; set; } = 1000;

    /// <summary>The longest a request waits for a pooled connection when all are in use.</summary>
    public int PoolWaitMilliseconds { get; set; } = 2000;

    /// <summary><c>Minimum Pool Size</c> unless the connection string sets one: connections kept
    /// open (and opened at start-up) so a burst does not begin with a round of connects.</summary>
    public int MinPoolSize { get; set; } = 4;

    /// <summary>
    /// The connection string with the schema first on the search path and, unless it sets them,
    /// the configured timeouts, automatic preparation of the few statements we run, and no
    /// reset of pooled connections.
    /// </summary>
    public string BuildConnectionString()
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(ConnectionString) { SearchPath = Schema };
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = ConnectionString };
        if (!given.ContainsKey("Timeout"))
        {
            builder.Timeout = ConnectTimeoutSeconds;
        }

        if (!given.ContainsKey("Command Timeout") && !given.ContainsKey("CommandTimeout"))
        {
            builder.CommandTimeout = CommandTimeoutSeconds;
        }

        if (!given.ContainsKey("Minimum Pool Size") && !given.ContainsKey("MinPoolSize") && !given.ContainsKey("Min Pool Size"))
        {
            builder.MinPoolSize = Math.Min(MinPoolSize, builder.MaxPoolSize);
        }

        if (!given.ContainsKey("Max Auto Prepare") && !given.ContainsKey("MaxAutoPrepare"))
        {
            builder.MaxAutoPrepare = 32;
        }

        // Our connections never change session state (the search path is a startup parameter),
        // so returning one to the pool needs no reset: that saves server work on each of the
        // few connection checkouts a request makes.
        if (!given.ContainsKey("No Reset On Close") && !given.ContainsKey("NoResetOnClose"))
        {
            builder.NoResetOnClose = true;
        }

        // Issue 9: multiplexing, when configured (a separate block so that the data source
        // registration can change without touching it).
        if (Multiplexing && !given.ContainsKey("Multiplexing"))
        {
            builder.Multiplexing = true;
        }

        return builder.ConnectionString;
    }

    /// <summary>The same, never multiplexed: DbUp's migrations run in transactions of their own.</summary>
    public string BuildMigrationConnectionString() =>
        new Npgsql.NpgsqlConnectionStringBuilder(BuildConnectionString()) { Multiplexing = false }.ConnectionString;

    /// <summary>What is wrong with these options, or null.</summary>
    public string? Validate() =>
        string.IsNullOrWhiteSpace(ConnectionString)
            ? $"No database configured: set ConnectionStrings:{ConnectionStringName} (environment variable ConnectionStrings__{ConnectionStringName})."
            : !SchemaName().IsMatch(Schema)
                ? $"{SchemaKey} '{Schema}' is not a plain lower-case identifier."
                : LockTimeoutMilliseconds < 0 || PoolWaitMilliseconds < 1 || MinPoolSize < 0
                    ? "PersistedFolder:Database: LockTimeoutMilliseconds must be >= 0, PoolWaitMilliseconds >= 1 and MinPoolSize >= 0."
                    : null;

    internal sealed class Validator : Microsoft.Extensions.Options.IValidateOptions<PersistedFolderDataOptions>
    {
        public Microsoft.Extensions.Options.ValidateOptionsResult Validate(string? name, PersistedFolderDataOptions options) =>
            options.Validate() is { } failure
                ? Microsoft.Extensions.Options.ValidateOptionsResult.Fail(failure)
                : Microsoft.Extensions.Options.ValidateOptionsResult.Success;
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex SchemaName();
}
