using AutoMapper;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PersistedFolder.Core.Access;
using PersistedFolder.Core.Folders;
using PersistedFolder.Core.Keys;

namespace PersistedFolder.Data.Folders;

/// <summary>
/// Folders in PostgreSQL. A scope's rows are <c>team_id</c> + <c>user_id</c> +
/// <c>COALESCE(surface, 'web') = @Surface</c>: the unique index's expression, so a legacy
/// NULL-surface row is web's and every lookup is an index lookup. Every operation is one round
/// trip: for a <see cref="GrantedCaller"/> the operation alone, for a <see cref="KeyCaller"/> the
/// operation joined to the key, the project and the membership it needs (<see cref="KeyGate"/>).
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

    private const string UpsertConflict = $"""
        ON CONFLICT (team_id, user_id, type, (COALESCE(surface, 'web')))
        DO UPDATE SET protocol = EXCLUDED.protocol, path = EXCLUDED.path, updated_at = {NextUpdatedAt}
        """;

    private const string UpdateSet = $"""
        SET type = COALESCE(@Type, type),
            protocol = COALESCE(@Protocol, protocol),
            path = COALESCE(@Path, path),
            updated_at = {NextUpdatedAt}
        """;

    // --- a granted caller: the operation alone ---------------------------------------------------

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
        {UpsertConflict}
        RETURNING {Columns}
        """;

    private const string UpdateSql = $"""
        UPDATE persisted_folder
        {UpdateSet}
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

    // --- a key caller: the operation joined to its gate ---------------------------------------
    // The gate is one row (none for a key no active user holds): the key, the project it names
    // (@ProjectId, or the key user's current team when null; team_id NULL when there is none) and
    // the membership, with `allowed`: SPEC §4's AccessRules.Deny(...) is null as one condition
    // (an empty restriction list restricts nothing; @Granting holds every scope that grants the
    // operation). Reads join their rows only when allowed; writes happen only when allowed.

    private const string KeyGate = """
        SELECT k.id AS key_id, k.user_id, k.scopes, k.scoped_teams, k.scoped_organizations, k.last_used_at,
               t.id AS team_id, t.organization_id, m.user_id IS NOT NULL AS is_member,
               m.user_id IS NOT NULL
                   AND (COALESCE(cardinality(k.scoped_teams), 0) = 0 OR t.id = ANY(k.scoped_teams))
                   AND (COALESCE(cardinality(k.scoped_organizations), 0) = 0 OR t.organization_id = ANY(k.scoped_organizations))
                   AND k.scopes && @Granting::text[] AS allowed
        FROM personal_api_key k
        JOIN app_user u ON u.id = k.user_id AND u.is_active
        LEFT JOIN team t ON t.id = COALESCE(@ProjectId, u.current_team_id)
        LEFT JOIN organization_membership m ON m.organization_id = t.organization_id AND m.user_id = k.user_id
        WHERE k.secure_value = @SecureValue
        """;

    private const string GatedColumns = "g.key_id, g.user_id, g.scopes, g.scoped_teams, g.scoped_organizations, g.last_used_at, g.team_id, g.organization_id, g.is_member, g.allowed";

    private const string CheckByKeySql = $"""
        {KeyGate}
        """;

    private const string ListByKeySql = $"""
        SELECT {GatedColumns}, f.id, f.type, f.protocol, f.path, f.created_at, f.updated_at
        FROM ({KeyGate}) g
        LEFT JOIN persisted_folder f
            ON g.allowed AND f.team_id = g.team_id AND f.user_id = g.user_id AND COALESCE(f.surface, 'web') = @Surface
        ORDER BY lower(f.type)
        """;

    private const string GetByKeySql = $"""
        SELECT {GatedColumns}, f.id, f.type, f.protocol, f.path, f.created_at, f.updated_at
        FROM ({KeyGate}) g
        LEFT JOIN persisted_folder f
            ON g.allowed AND f.id = @Id AND f.team_id = g.team_id AND f.user_id = g.user_id AND COALESCE(f.surface, 'web') = @Surface
        """;

    private const string UpsertByKeySql = $"""
        WITH g AS ({KeyGate}),
        w AS (
            INSERT INTO persisted_folder (id, team_id, user_id, type, protocol, path, surface, created_at, updated_at)
            SELECT @Id, g.team_id, g.user_id, @Type, @Protocol, @Path, @Surface, now(), now() FROM g WHERE g.allowed
            {UpsertConflict}
            RETURNING {Columns}
        )
        SELECT {GatedColumns}, w.* FROM g LEFT JOIN w ON true
        """;

    private const string UpdateByKeySql = $"""
        WITH g AS ({KeyGate}),
        w AS (
            UPDATE persisted_folder
            {UpdateSet}
            FROM g
            WHERE g.allowed AND id = @Id AND persisted_folder.team_id = g.team_id AND persisted_folder.user_id = g.user_id
              AND COALESCE(surface, 'web') = @Surface AND {VersionCondition}
            RETURNING {Columns}
        )
        SELECT {GatedColumns}, w.* FROM g LEFT JOIN w ON true
        """;

    private const string DeleteByKeySql = $"""
        WITH g AS ({KeyGate}),
        w AS (
            DELETE FROM persisted_folder
            USING g
            WHERE g.allowed AND id = @Id AND persisted_folder.team_id = g.team_id AND persisted_folder.user_id = g.user_id
              AND COALESCE(surface, 'web') = @Surface AND {VersionCondition}
            RETURNING id
        )
        SELECT {GatedColumns}, w.id FROM g LEFT JOIN w ON true
        """;

    private static readonly string[] ReadGranting = AccessRules.GrantingScopes(AccessRules.FolderScopeObject, write: false);
    private static readonly string[] WriteGranting = AccessRules.GrantingScopes(AccessRules.FolderScopeObject, write: true);

    public async Task<Gated<bool>> CheckAsync(FolderScope scope, CancellationToken cancellationToken)
    {
        if (scope.Caller is not KeyCaller)
        {
            return new(true, null);
        }

        var rows = await ReadAsync(CheckByKeySql, Parameters(scope, write: false), cancellationToken);
        return new(true, Facts(rows, write: false));
    }

    public async Task<Gated<IReadOnlyList<Folder>>> ListAsync(FolderScope scope, CancellationToken cancellationToken)
    {
        var rows = await ReadAsync(scope.Caller is KeyCaller ? ListByKeySql : ListSql, Parameters(scope, write: false), cancellationToken);
        return new(mapper.Map<List<Folder>>(rows.Where(row => row.Id is not null)), Facts(scope, rows, write: false));
    }

    public async Task<Gated<Folder?>> GetAsync(FolderScope scope, Guid id, CancellationToken cancellationToken)
    {
        var parameters = Parameters(scope, write: false, id);
        var rows = await ReadAsync(scope.Caller is KeyCaller ? GetByKeySql : GetSql, parameters, cancellationToken);
        return new(FolderOf(rows), Facts(scope, rows, write: false));
    }

    public async Task<Gated<Folder?>> UpsertAsync(FolderScope scope, string type, string protocol, string path, CancellationToken cancellationToken)
    {
        var parameters = Parameters(scope, write: true, Guid.CreateVersion7());
        parameters.Add("Type", type);
        parameters.Add("Protocol", protocol);
        parameters.Add("Path", path);
        var rows = await WriteAsync(scope.Caller is KeyCaller ? UpsertByKeySql : UpsertSql, parameters, cancellationToken);
        return new(FolderOf(rows), Facts(scope, rows, write: true));
    }

    public async Task<Gated<Folder?>> UpdateAsync(FolderScope scope, Guid id, FolderChanges changes, FolderPrecondition precondition, CancellationToken cancellationToken)
    {
        var parameters = Parameters(scope, write: true, id, precondition);
        parameters.Add("Type", changes.Type, System.Data.DbType.String);
        parameters.Add("Protocol", changes.Protocol, System.Data.DbType.String);
        parameters.Add("Path", changes.Path, System.Data.DbType.String);
        var rows = await WriteAsync(scope.Caller is KeyCaller ? UpdateByKeySql : UpdateSql, parameters, cancellationToken);
        return new(FolderOf(rows), Facts(scope, rows, write: true));
    }

    public async Task<Gated<bool>> DeleteAsync(FolderScope scope, Guid id, FolderPrecondition precondition, CancellationToken cancellationToken)
    {
        var rows = await WriteAsync(scope.Caller is KeyCaller ? DeleteByKeySql : DeleteSql, Parameters(scope, write: true, id, precondition), cancellationToken);
        return new(rows.Any(row => row.Id is not null), Facts(scope, rows, write: true));
    }

    private async Task<List<FolderRow>> ReadAsync(string sql, DynamicParameters parameters, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<FolderRow>(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>A write under the configured <c>lock_timeout</c>: one round trip, one transaction.</summary>
    private async Task<List<FolderRow>> WriteAsync(string sql, DynamicParameters parameters, CancellationToken cancellationToken)
    {
        parameters.Add("LockTimeout", options.Value.LockTimeoutMilliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var grid = await connection.QueryMultipleAsync(
            new CommandDefinition(LockTimeoutSql + sql, parameters, cancellationToken: cancellationToken));
        await grid.ReadSingleAsync<string>();
        return (await grid.ReadAsync<FolderRow>()).AsList();
    }

    private Folder? FolderOf(List<FolderRow> rows) => rows is [{ Id: not null } row] ? mapper.Map<Folder>(row) : null;

    private static KeyFacts? Facts(FolderScope scope, List<FolderRow> rows, bool write) =>
        scope.Caller is KeyCaller ? Facts(rows, write) : null;

    /// <summary>What the gate found: every row carries the same gate columns; no row is an unknown key.</summary>
    private static KeyFacts Facts(List<FolderRow> rows, bool write)
    {
        if (rows is not [var gate, ..])
        {
            return new KeyFacts(null, null);
        }

        var key = new PersonalApiKey(gate.KeyId!.Value, gate.UserId!.Value, gate.Scopes ?? [], gate.ScopedTeams, gate.ScopedOrganizations, gate.LastUsedAt);
        var access = gate.TeamId is { } teamId ? new ProjectAccess(teamId, gate.OrganizationId!.Value, gate.IsMember ?? false) : null;
        return new KeyFacts(key, access, write ? gate.Allowed ?? false : null);
    }

    private static DynamicParameters Parameters(FolderScope scope, bool write, Guid? id = null)
    {
        var parameters = new DynamicParameters();
        switch (scope.Caller)
        {
            case GrantedCaller granted:
                parameters.Add("TeamId", granted.TeamId);
                parameters.Add("UserId", granted.UserId);
                break;
            case KeyCaller key:
                parameters.Add("SecureValue", key.SecureValue);
                parameters.Add("ProjectId", key.Project.TeamId, System.Data.DbType.Int64);
                parameters.Add("Granting", write ? WriteGranting : ReadGranting);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(scope), scope.Caller, "Unknown folder caller.");
        }

        parameters.Add("Surface", scope.Surface.Name);
        if (id is { } value)
        {
            parameters.Add("Id", value);
        }

        return parameters;
    }

    private static DynamicParameters Parameters(FolderScope scope, bool write, Guid id, FolderPrecondition precondition)
    {
        var parameters = Parameters(scope, write, id);
        parameters.Add("Versions", precondition.UpdatedAt?.ToArray());
        return parameters;
    }
}
