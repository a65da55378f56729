// The bare-stack baseline of scripts/bench.sh (issue 9): what this machine can serve for the
// service's work with Kestrel + Npgsql alone. No MVC, no routing, no authentication handler, no
// mapper, no logging; the same tables, the same answers (status, JSON shape), the same access
// rules (SPEC §4) and no caching of keys or access. Four variants, chosen by the first path segment:
//
//   /t3/api/projects/{id}/persisted_folder/[{folder}/]   three round trips, as the service makes them
//                                                        (key lookup, project + membership, operation;
//                                                        a pooled connection per statement)
//   /t1/...                                              one round trip: one statement of plain joins
//                                                        (reads) or one statement whose write is guarded
//                                                        by the access checks (writes)
//   /t3m/..., /t1m/...                                   the same over a multiplexing data source
//
// Environment: BASELINE_CONNECTION (Npgsql connection string), BASELINE_SCHEMA (persisted_folder).
// Start: dotnet Baseline.dll --urls http://127.0.0.1:PORT
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var connection = new NpgsqlConnectionStringBuilder(Environment.GetEnvironmentVariable("BASELINE_CONNECTION")
    ?? throw new InvalidOperationException("BASELINE_CONNECTION is not set"))
{
    SearchPath = Environment.GetEnvironmentVariable("BASELINE_SCHEMA") ?? "persisted_folder",
    MaxAutoPrepare = 32,
    NoResetOnClose = true,
};
var plain = new NpgsqlDataSourceBuilder(connection.ConnectionString).Build();
connection.Multiplexing = true;
var multiplexed = new NpgsqlDataSourceBuilder(connection.ConnectionString).Build();

var app = builder.Build();
app.Run(context => Baseline.HandleAsync(context, plain, multiplexed));
app.Run();

internal static class Baseline
{
    private const string Columns = "f.id, f.type, f.protocol, f.path, f.created_at, f.updated_at";

    // --- three round trips: the service's statements today -----------------------------------
    private const string KeySql = """
        SELECT k.id, k.user_id, k.scopes, k.scoped_teams, k.scoped_organizations, k.last_used_at
        FROM personal_api_key k
        JOIN app_user u ON u.id = k.user_id
        WHERE k.secure_value = @SecureValue AND u.is_active
        """;

    private const string AccessSql = """
        SELECT t.id AS team_id,
               t.organization_id,
               EXISTS (
                   SELECT 1
                   FROM organization_membership m
                   JOIN app_user u ON u.id = m.user_id
                   WHERE m.organization_id = t.organization_id AND m.user_id = @UserId AND u.is_active
               ) AS is_member
        FROM team t
        WHERE t.id = COALESCE(@TeamId, (SELECT current_team_id FROM app_user WHERE id = @UserId))
        """;

    private const string ListSql = $"""
        SELECT {Columns}
        FROM persisted_folder f
        WHERE f.team_id = @TeamId AND f.user_id = @UserId AND COALESCE(f.surface, 'web') = @Surface
        ORDER BY lower(f.type)
        """;

    private const string GetSql = $"""
        SELECT {Columns}
        FROM persisted_folder f
        WHERE f.id = @Id AND f.team_id = @TeamId AND f.user_id = @UserId AND COALESCE(f.surface, 'web') = @Surface
        """;

    private const string UpsertSql = """
        INSERT INTO persisted_folder AS f (id, team_id, user_id, type, protocol, path, surface, created_at, updated_at)
        VALUES (@Id, @TeamId, @UserId, @Type, @Protocol, @Path, @Surface, now(), now())
        ON CONFLICT (team_id, user_id, type, (COALESCE(surface, 'web')))
        DO UPDATE SET protocol = EXCLUDED.protocol, path = EXCLUDED.path, updated_at = now()
        RETURNING f.id, f.type, f.protocol, f.path, f.created_at, f.updated_at
        """;

    private const string UpdateSql = """
        UPDATE persisted_folder AS f
        SET path = COALESCE(@Path, f.path), updated_at = now()
        WHERE f.id = @Id AND f.team_id = @TeamId AND f.user_id = @UserId AND COALESCE(f.surface, 'web') = @Surface
        RETURNING f.id, f.type, f.protocol, f.path, f.created_at, f.updated_at
        """;

    // --- one round trip ------------------------------------------------------------------------
    // Facts: the key of an active user, the project (@TeamId, or the user's current team when
    // null) and the membership. Zero rows = unknown key (401); team_id NULL = unknown project (404).
    private const string Facts = """
        k.user_id, k.scopes, k.scoped_teams, k.scoped_organizations,
               t.id AS team_id, t.organization_id, m.user_id IS NOT NULL AS is_member
        """;

    private const string FactsFrom = """
        FROM personal_api_key k
        JOIN app_user u ON u.id = k.user_id AND u.is_active
        LEFT JOIN team t ON t.id = COALESCE(@TeamId, u.current_team_id)
        LEFT JOIN organization_membership m ON m.organization_id = t.organization_id AND m.user_id = k.user_id
        """;

    // The access rules of SPEC §4 as one SQL condition (AccessRules.Deny(...) is null): member,
    // scoped teams / organizations (empty restricts nothing), a granting scope (@Granting).
    private const string Allowed = """
        m.user_id IS NOT NULL
            AND (k.scoped_teams IS NULL OR cardinality(k.scoped_teams) = 0 OR t.id = ANY(k.scoped_teams))
            AND (k.scoped_organizations IS NULL OR cardinality(k.scoped_organizations) = 0 OR t.organization_id = ANY(k.scoped_organizations))
            AND k.scopes && @Granting
        """;

    private const string ListOneSql = $"""
        SELECT {Facts}, {Columns}
        {FactsFrom}
        LEFT JOIN persisted_folder f ON f.team_id = t.id AND f.user_id = k.user_id
            AND COALESCE(f.surface, 'web') = @Surface AND {Allowed}
        WHERE k.secure_value = @SecureValue
        ORDER BY lower(f.type)
        """;

    private const string GetOneSql = $"""
        SELECT {Facts}, {Columns}
        {FactsFrom}
        LEFT JOIN persisted_folder f ON f.id = @Id AND f.team_id = t.id AND f.user_id = k.user_id
            AND COALESCE(f.surface, 'web') = @Surface AND {Allowed}
        WHERE k.secure_value = @SecureValue
        """;

    private const string UpsertOneSql = $"""
        WITH a AS (
            SELECT {Facts}, {Allowed} AS allowed
            {FactsFrom}
            WHERE k.secure_value = @SecureValue
        ), w AS (
            INSERT INTO persisted_folder AS f (id, team_id, user_id, type, protocol, path, surface, created_at, updated_at)
            SELECT @Id, a.team_id, a.user_id, @Type, @Protocol, @Path, @Surface, now(), now() FROM a WHERE a.allowed
            ON CONFLICT (team_id, user_id, type, (COALESCE(surface, 'web')))
            DO UPDATE SET protocol = EXCLUDED.protocol, path = EXCLUDED.path, updated_at = now()
            RETURNING {Columns}
        )
        SELECT a.user_id, a.scopes, a.scoped_teams, a.scoped_organizations, a.team_id, a.organization_id, a.is_member,
               w.id, w.type, w.protocol, w.path, w.created_at, w.updated_at
        FROM a LEFT JOIN w ON true
        """;

    private const string UpdateOneSql = $"""
        WITH a AS (
            SELECT {Facts}, {Allowed} AS allowed
            {FactsFrom}
            WHERE k.secure_value = @SecureValue
        ), w AS (
            UPDATE persisted_folder AS f
            SET path = COALESCE(@Path, f.path), updated_at = now()
            FROM a
            WHERE a.allowed AND f.id = @Id AND f.team_id = a.team_id AND f.user_id = a.user_id AND COALESCE(f.surface, 'web') = @Surface
            RETURNING {Columns}
        )
        SELECT a.user_id, a.scopes, a.scoped_teams, a.scoped_organizations, a.team_id, a.organization_id, a.is_member,
               w.id, w.type, w.protocol, w.path, w.created_at, w.updated_at
        FROM a LEFT JOIN w ON true
        """;

    private static readonly string[] ReadGrants = ["*", "persisted_folder:read", "persisted_folder:write"];
    private static readonly string[] WriteGrants = ["*", "persisted_folder:write"];

    private sealed record Folder(Guid Id, string Type, string Protocol, string Path, DateTime CreatedAt, DateTime UpdatedAt);

    private sealed record Key(long UserId, string[] Scopes, long[]? ScopedTeams, Guid[]? ScopedOrganizations);

    private sealed record Project(long TeamId, Guid OrganizationId, bool IsMember);

    public static async Task HandleAsync(HttpContext context, NpgsqlDataSource plain, NpgsqlDataSource multiplexed)
    {
        // /{variant}/api/projects/{id}/{persisted_folder|desktop_persisted_folder}/[{folder}/]
        var parts = (context.Request.Path.Value ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length is < 5 or > 6 || parts[1] != "api" || parts[2] != "projects"
            || parts[0] is not ("t1" or "t3" or "t1m" or "t3m")
            || parts[4] is not ("persisted_folder" or "desktop_persisted_folder"))
        {
            await ErrorAsync(context, 404, "not_found", "Not found.");
            return;
        }

        var dataSource = parts[0].EndsWith('m') ? multiplexed : plain;
        var oneTrip = parts[0].StartsWith("t1", StringComparison.Ordinal);
        long? teamId = parts[3] == "@current" ? null : long.TryParse(parts[3], out var t) ? t : -1;
        var surface = parts[4] == "persisted_folder" ? "web" : "desktop";
        Guid? folderId = parts.Length == 6 ? Guid.TryParse(parts[5], out var g) ? g : Guid.Empty : null;
        var method = context.Request.Method;
        var write = method is not ("GET" or "HEAD");
        var op = (method, folderId is null) switch
        {
            ("GET", true) => Op.List,
            ("GET", false) => Op.Get,
            ("POST", true) => Op.Upsert,
            ("PATCH", false) => Op.Update,
            _ => Op.None,
        };
        if (op == Op.None)
        {
            await ErrorAsync(context, 405, "method_not_allowed", $"Method \"{method}\" not allowed.");
            return;
        }

        string auth = context.Request.Headers.Authorization.ToString();
        if (!auth.StartsWith("Bearer ", StringComparison.Ordinal) || auth.Length <= 7)
        {
            await ErrorAsync(context, 401, "not_authenticated", "Authentication credentials were not provided.");
            return;
        }

        var secureValue = SecureValue(auth[7..].Trim());
        string? type = null, protocol = null, path = null;
        if (write)
        {
            using var body = await JsonDocument.ParseAsync(context.Request.Body, default, context.RequestAborted);
            var root = body.RootElement;
            type = root.TryGetProperty("type", out var v) ? v.GetString() : null;
            protocol = root.TryGetProperty("protocol", out v) ? v.GetString() : null;
            path = root.TryGetProperty("path", out v) ? v.GetString() : null;
            if (op == Op.Upsert && type is not ("home" or "pinned" or "custom_products"))
            {
                await ErrorAsync(context, 400, "invalid_choice", "Not a valid choice.", "validation_error");
                return;
            }
        }

        var ct = context.RequestAborted;
        Key? key;
        Project? project;
        List<Folder> folders = [];
        if (oneTrip)
        {
            await using var command = dataSource.CreateCommand(op switch
            {
                Op.List => ListOneSql,
                Op.Get => GetOneSql,
                Op.Upsert => UpsertOneSql,
                _ => UpdateOneSql,
            });
            command.Parameters.Add(new NpgsqlParameter<string>("SecureValue", secureValue));
            command.Parameters.Add(new NpgsqlParameter<long?>("TeamId", NpgsqlDbType.Bigint) { TypedValue = teamId });
            command.Parameters.Add(new NpgsqlParameter<string>("Surface", surface));
            command.Parameters.Add(new NpgsqlParameter<string[]>("Granting", write ? WriteGrants : ReadGrants));
            AddOperationParameters(command, op, folderId, type, protocol, path);
            await using var reader = await command.ExecuteReaderAsync(ct);
            key = null;
            project = null;
            while (await reader.ReadAsync(ct))
            {
                key ??= new Key(reader.GetInt64(0), reader.GetFieldValue<string[]>(1),
                    reader.IsDBNull(2) ? null : reader.GetFieldValue<long[]>(2),
                    reader.IsDBNull(3) ? null : reader.GetFieldValue<Guid[]>(3));
                project ??= reader.IsDBNull(4) ? null : new Project(reader.GetInt64(4), reader.GetGuid(5), reader.GetBoolean(6));
                if (!reader.IsDBNull(7))
                {
                    folders.Add(ReadFolder(reader, 7));
                }
            }

            if (key is null)
            {
                await ErrorAsync(context, 401, "authentication_failed", "Personal API key found in request Authorization header is invalid.");
                return;
            }
        }
        else
        {
            await using (var command = dataSource.CreateCommand(KeySql))
            {
                command.Parameters.Add(new NpgsqlParameter<string>("SecureValue", secureValue));
                await using var reader = await command.ExecuteReaderAsync(ct);
                key = await reader.ReadAsync(ct)
                    ? new Key(reader.GetInt64(1), reader.GetFieldValue<string[]>(2),
                        reader.IsDBNull(3) ? null : reader.GetFieldValue<long[]>(3),
                        reader.IsDBNull(4) ? null : reader.GetFieldValue<Guid[]>(4))
                    : null;
            }

            if (key is null)
            {
                await ErrorAsync(context, 401, "authentication_failed", "Personal API key found in request Authorization header is invalid.");
                return;
            }

            await using (var command = dataSource.CreateCommand(AccessSql))
            {
                command.Parameters.Add(new NpgsqlParameter<long?>("TeamId", NpgsqlDbType.Bigint) { TypedValue = teamId });
                command.Parameters.Add(new NpgsqlParameter<long>("UserId", key.UserId));
                await using var reader = await command.ExecuteReaderAsync(ct);
                project = await reader.ReadAsync(ct) ? new Project(reader.GetInt64(0), reader.GetGuid(1), reader.GetBoolean(2)) : null;
            }
        }

        if (project is null)
        {
            await ErrorAsync(context, 404, "not_found", "Project not found.");
            return;
        }

        if (Deny(project, key, write) is { } reason)
        {
            await ErrorAsync(context, 403, "permission_denied", reason);
            return;
        }

        if (!oneTrip)
        {
            await using var command = dataSource.CreateCommand(op switch
            {
                Op.List => ListSql,
                Op.Get => GetSql,
                Op.Upsert => UpsertSql,
                _ => UpdateSql,
            });
            command.Parameters.Add(new NpgsqlParameter<long>("TeamId", project.TeamId));
            command.Parameters.Add(new NpgsqlParameter<long>("UserId", key.UserId));
            command.Parameters.Add(new NpgsqlParameter<string>("Surface", surface));
            AddOperationParameters(command, op, folderId, type, protocol, path);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                folders.Add(ReadFolder(reader, 0));
            }
        }

        if (op == Op.List)
        {
            await WriteJsonAsync(context, 200, w =>
            {
                w.WriteNumber("count", folders.Count);
                w.WriteNull("next");
                w.WriteNull("previous");
                w.WriteStartArray("results");
                foreach (var f in folders)
                {
                    w.WriteStartObject();
                    WriteFolder(w, f);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
            });
        }
        else if (folders.Count == 0)
        {
            await ErrorAsync(context, 404, "not_found", "No PersistedFolder matches the given query.");
        }
        else
        {
            await WriteJsonAsync(context, op == Op.Upsert ? 201 : 200, w => WriteFolder(w, folders[0]));
        }
    }

    private enum Op { None, List, Get, Upsert, Update }

    private static void AddOperationParameters(NpgsqlCommand command, Op op, Guid? folderId, string? type, string? protocol, string? path)
    {
        switch (op)
        {
            case Op.Get:
                command.Parameters.Add(new NpgsqlParameter<Guid>("Id", folderId!.Value));
                break;
            case Op.Upsert:
                command.Parameters.Add(new NpgsqlParameter<Guid>("Id", Guid.CreateVersion7()));
                command.Parameters.Add(new NpgsqlParameter<string>("Type", type!));
                command.Parameters.Add(new NpgsqlParameter<string>("Protocol", protocol ?? "products://"));
                command.Parameters.Add(new NpgsqlParameter<string>("Path", path ?? ""));
                break;
            case Op.Update:
                command.Parameters.Add(new NpgsqlParameter<Guid>("Id", folderId!.Value));
                command.Parameters.Add(new NpgsqlParameter("Path", NpgsqlDbType.Text) { Value = (object?)path ?? DBNull.Value });
                break;
        }
    }

    // PersistedFolder.Core.Access.AccessRules.Deny, condensed (the same order and messages).
    private static string? Deny(Project project, Key key, bool write)
    {
        if (key.ScopedTeams is { Length: > 0 } teams && !teams.Contains(project.TeamId))
        {
            return $"API key does not have access to the requested project: ID {project.TeamId}.";
        }

        if (key.ScopedOrganizations is { Length: > 0 } orgs && !orgs.Contains(project.OrganizationId))
        {
            return $"API key does not have access to the requested organization: ID {project.OrganizationId}.";
        }

        if (!key.Scopes.Any(s => (write ? WriteGrants : ReadGrants).Contains(s)))
        {
            return $"API key missing required scope 'persisted_folder:{(write ? "write" : "read")}'";
        }

        return project.IsMember ? null : "You don't have access to the project.";
    }

    private static Folder ReadFolder(NpgsqlDataReader reader, int at) => new(
        reader.GetGuid(at), reader.GetString(at + 1), reader.GetString(at + 2), reader.GetString(at + 3),
        reader.GetDateTime(at + 4), reader.GetDateTime(at + 5));

    private static void WriteFolder(Utf8JsonWriter w, Folder f)
    {
        w.WriteString("id", f.Id);
        w.WriteString("type", f.Type);
        w.WriteString("protocol", f.Protocol);
        w.WriteString("path", f.Path);
        w.WriteString("created_at", f.CreatedAt.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", System.Globalization.CultureInfo.InvariantCulture));
        w.WriteString("updated_at", f.UpdatedAt.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", System.Globalization.CultureInfo.InvariantCulture));
    }

    private static string SecureValue(string key)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(key), hash);
        return "sha256$" + Convert.ToHexStringLower(hash);
    }

    private static Task ErrorAsync(HttpContext context, int status, string code, string detail, string type = "authentication_error") =>
        WriteJsonAsync(context, status, w =>
        {
            w.WriteString("type", status == 404 ? "invalid_request" : type);
            w.WriteString("code", code);
            w.WriteString("detail", detail);
            w.WriteNull("attr");
        });

    private static async Task WriteJsonAsync(HttpContext context, int status, Action<Utf8JsonWriter> body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await using (var writer = new Utf8JsonWriter(context.Response.BodyWriter))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
    }
}
