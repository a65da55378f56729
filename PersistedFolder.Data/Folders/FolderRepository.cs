using AutoMapper;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using PersistedFolder.Core.Folders;

namespace PersistedFolder.Data.Folders;

/// <summary>
/// Folders in PostgreSQL. A scope's rows are <c>team_id</c> + <c>user_id</c> +
/// <c>COALESCE(surface, 'web') = @Surface</c>: the unique index's expression, so a legacy
/// NULL-surface row is web's and every lookup is an index lookup.
/// </summary>
internal sealed class FolderRepository(DatabaseConnections connections, IOptions<PersistedFolderDataOptions> options, [FromKeyedServices(PersistedFolderDataOptions.MapperKey)] IMapper mapper) : IPersistedFolderRepository
{
    // Sent before each write in the same batch: Npgsql sends a batch as one implicit transaction
    // (one Sync), so set_config(..., true) lasts for exactly that write. A session-level SET would
    // outlive it on the pooled connection (and, through pgbouncer, on another client's), and a
    // lock_timeout startup option is refused by pgbouncer 1.18.
    private const string LockTimeoutSql = "SELECT set_config('lock_timeout', @LockTimeout, true);\n";

    private const string Columns = "id, type, protocol, path, created_at, updated_at";

    // Every write moves updated_at strictly forward, even when two transactions share a now():
    // updated_at is the folder's version (its ETag), so a change must never keep the old one.
    private const string NextUpdatedAt = "GREATEST(now(), persisted_folder.updated_at + interval '1 microsecond')";

    // An If-Match: the write happens only at one of the expected versions. In the statement's own
    // WHERE, so a concurrent write between a check and the write cannot be lost.
    private const string VersionCondition = "(@Versions::timestamptz[] IS NULL OR updated_at = ANY(@Versions::timestamptz[]))";

    private const string ListSql = $"""
        SELECT {Columns}
        FROM persisted_folder
        WHERE team_id = @TeamId AND user_id = @UserId AND COALESCE(surface, 'web') = @Surface
        ORDER BY lower(type)
        """;

    private const string GetSql = $"""
        SELECT {Columns}
        FROM persisted_folder
        WHERE id = @Id AND team_id = @TeamId AND user_id = @UserId AND COALESCE(surface, 'web') = @Surface
        """;

    // One statement, so concurrent creates of one key never make two rows and never fail.
    // The surface of an existing (possibly legacy NULL) row is left as it is.
    private const string UpsertSql = $"""
        INSERT INTO persisted_folder (id, team_id, user_id, type, protocol, path, surface, created_at, updated_at)
        VALUES (@Id, @TeamId, @UserId, @Type, @Protocol, @Path, @Surface, now(), now())
        ON CONFLICT (team_id, user_id, type, (COALESCE(surface, 'web')))
        DO UPDATE SET protocol = EXCLUDED.protocol, path = EXCLUDED.path, updated_at = {NextUpdatedAt}
        RETURNING {Columns}
        """;

    private const string UpdateSql = $"""
        UPDATE persisted_folder
        SET type = COALESCE(@Type, type),
            protocol = COALESCE(@Protocol, protocol),
            path = COALESCE(@Path, path),
            updated_at = {NextUpdatedAt}
        WHERE id = @Id AND team_id = @TeamId AND user_id = @UserId AND COALESCE(surface, 'web') = @Surface
          AND {VersionCondition}
        RETURNING {Columns}
        """;

    private const string DeleteSql = $"""
        DELETE FROM persisted_folder
        WHERE id = @Id AND team_id = @TeamId AND user_id = @UserId AND COALESCE(surface, 'web') = @Surface
          AND {VersionCondition}
        RETURNING id
        """;

    public async Task<IReadOnlyList<Folder>> ListAsync(FolderScope scope, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<FolderRow>(
            new CommandDefinition(ListSql, ScopeParameters(scope), cancellationToken: cancellationToken));
        return mapper.Map<List<Folder>>(rows);
    }

    public async Task<Folder?> GetAsync(FolderScope scope, Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<FolderRow>(
            new CommandDefinition(GetSql, ScopeParameters(scope, id), cancellationToken: cancellationToken));
        return mapper.Map<Folder?>(row);
    }

    public async Task<Folder> UpsertAsync(FolderScope scope, string type, string protocol, string path, CancellationToken cancellationToken)
    {
        var parameters = ScopeParameters(scope, Guid.CreateVersion7());
        parameters.Add("Type", type);
        parameters.Add("Protocol", protocol);
        parameters.Add("Path", path);
        var row = await WriteAsync(UpsertSql, parameters, grid => grid.ReadSingleAsync<FolderRow>(), cancellationToken);
        return mapper.Map<Folder>(row);
    }

    public async Task<Folder?> UpdateAsync(FolderScope scope, Guid id, FolderChanges changes, FolderPrecondition precondition, CancellationToken cancellationToken)
    {
        var parameters = ScopeParameters(scope, id, precondition);
        parameters.Add("Type", changes.Type, System.Data.DbType.String);
        parameters.Add("Protocol", changes.Protocol, System.Data.DbType.String);
        parameters.Add("Path", changes.Path, System.Data.DbType.String);
        var row = await WriteAsync(UpdateSql, parameters, grid => grid.ReadSingleOrDefaultAsync<FolderRow>(), cancellationToken);
        return mapper.Map<Folder?>(row);
    }

    public async Task<bool> DeleteAsync(FolderScope scope, Guid id, FolderPrecondition precondition, CancellationToken cancellationToken)
    {
        var deleted = await WriteAsync(DeleteSql, ScopeParameters(scope, id, precondition), grid => grid.ReadSingleOrDefaultAsync<Guid?>(), cancellationToken);
        return deleted is not null;
    }

    /// <summary>A write under the configured <c>lock_timeout</c>: one round trip, one transaction.</summary>
    private async Task<T> WriteAsync<T>(string sql, DynamicParameters parameters, Func<SqlMapper.GridReader, Task<T>> read, CancellationToken cancellationToken)
    {
        parameters.Add("LockTimeout", options.Value.LockTimeoutMilliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var grid = await connection.QueryMultipleAsync(
            new CommandDefinition(LockTimeoutSql + sql, parameters, cancellationToken: cancellationToken));
        await grid.ReadSingleAsync<string>();
        return await read(grid);
    }

    private static DynamicParameters ScopeParameters(FolderScope scope, Guid? id = null)
    {
        var parameters = new DynamicParameters();
        parameters.Add("TeamId", scope.TeamId);
        parameters.Add("UserId", scope.UserId);
        parameters.Add("Surface", scope.Surface.Name);
        if (id is { } value)
        {
            parameters.Add("Id", value);
        }

        return parameters;
    }

    private static DynamicParameters ScopeParameters(FolderScope scope, Guid id, FolderPrecondition precondition)
    {
        var parameters = ScopeParameters(scope, id);
        parameters.Add("Versions", precondition.UpdatedAt?.ToArray());
        return parameters;
    }
}
