using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using PersistedFolder.Core.Access;

namespace PersistedFolder.Data.Identity;

internal sealed class ProjectAccessSource(DatabaseConnections connections) : IProjectAccessSource
{
    // A null @TeamId is "@current": the user's current team. Membership needs an active user.
    private const string FindSql = """
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

    public bool IsFolderTables => true;

    public async Task<ProjectAccess?> FindAsync(ProjectReference project, long userId, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<AccessRow>(
            new CommandDefinition(FindSql, new { project.TeamId, UserId = userId }, cancellationToken: cancellationToken));
        return row is null ? null : new ProjectAccess(row.TeamId, row.OrganizationId, row.IsMember);
    }

    private sealed class AccessRow
    {
        public long TeamId { get; set; }

        public Guid OrganizationId { get; set; }

        public bool IsMember { get; set; }
    }
}
