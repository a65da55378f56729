using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using PersistedFolder.Core.Admin;

namespace PersistedFolder.Data.Identity;

internal sealed class IdentityRepository([FromKeyedServices(PersistedFolderDataOptions.ServiceKey)] NpgsqlDataSource dataSource) : IIdentityRepository
{
    private const string CreateOrganizationSql = "INSERT INTO organization (id, name) VALUES (@Id, @Name)";
    private const string OrganizationExistsSql = "SELECT EXISTS (SELECT 1 FROM organization WHERE id = @Id)";
    private const string ProjectExistsSql = "SELECT EXISTS (SELECT 1 FROM team WHERE id = @Id)";
    private const string CreateProjectSql = """
        INSERT INTO team (organization_id, name) VALUES (@OrganizationId, @Name)
        RETURNING id, organization_id, name
        """;

    private const string FindUserSql = "SELECT id, uuid, email, is_active FROM app_user WHERE lower(email) = lower(@Email)";
    private const string CreateUserSql = """
        INSERT INTO app_user (uuid, email) VALUES (@Uuid, @Email)
        RETURNING id, uuid, email, is_active
        """;

    private const string SetMembershipSql = """
        INSERT INTO organization_membership (organization_id, user_id, level)
        VALUES (@OrganizationId, @UserId, @Level)
        ON CONFLICT (organization_id, user_id) DO UPDATE SET level = EXCLUDED.level
        """;

    private const string SetCurrentProjectSql = "UPDATE app_user SET current_team_id = @ProjectId WHERE id = @UserId";
    private const string DeactivateUserSql = "UPDATE app_user SET is_active = false WHERE id = @UserId";
    private const string CreateApiKeySql = """
        INSERT INTO personal_api_key (id, user_id, label, secure_value, mask_value, scopes, scoped_teams, scoped_organizations)
        VALUES (@Id, @UserId, @Label, @SecureValue, @MaskValue, @Scopes, @ScopedTeams, @ScopedOrganizations)
        """;

    private const string DeleteApiKeySql = "DELETE FROM personal_api_key WHERE id = @Id";

    public async Task<Organization> CreateOrganizationAsync(string name, CancellationToken cancellationToken)
    {
        var organization = new Organization(Guid.CreateVersion7(), name);
        await ExecuteAsync(CreateOrganizationSql, organization, cancellationToken);
        return organization;
    }

    public Task<bool> OrganizationExistsAsync(Guid id, CancellationToken cancellationToken) =>
        ScalarAsync<bool>(OrganizationExistsSql, new { Id = id }, cancellationToken);

    public Task<bool> ProjectExistsAsync(long id, CancellationToken cancellationToken) =>
        ScalarAsync<bool>(ProjectExistsSql, new { Id = id }, cancellationToken);

    public async Task<Project> CreateProjectAsync(Guid organizationId, string name, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleAsync<ProjectRow>(new CommandDefinition(
            CreateProjectSql, new { OrganizationId = organizationId, Name = name }, cancellationToken: cancellationToken));
        return new Project(row.Id, row.OrganizationId, row.Name);
    }

    public async Task<User?> FindUserAsync(string email, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<UserRow>(
            new CommandDefinition(FindUserSql, new { Email = email }, cancellationToken: cancellationToken));
        return row?.ToUser();
    }

    public async Task<User> CreateUserAsync(string email, Guid? organizationId, string level, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var row = await connection.QuerySingleAsync<UserRow>(new CommandDefinition(
            CreateUserSql, new { Uuid = Guid.NewGuid(), Email = email }, transaction, cancellationToken: cancellationToken));
        if (organizationId is { } org)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                SetMembershipSql, new { OrganizationId = org, UserId = row.Id, Level = level }, transaction, cancellationToken: cancellationToken));
        }

        await transaction.CommitAsync(cancellationToken);
        return row.ToUser();
    }

    public async Task<Membership> SetMembershipAsync(Guid organizationId, long userId, string level, CancellationToken cancellationToken)
    {
        var membership = new Membership(organizationId, userId, level);
        await ExecuteAsync(SetMembershipSql, membership, cancellationToken);
        return membership;
    }

    public Task SetCurrentProjectAsync(long userId, long projectId, CancellationToken cancellationToken) =>
        ExecuteAsync(SetCurrentProjectSql, new { UserId = userId, ProjectId = projectId }, cancellationToken);

    public Task DeactivateUserAsync(long userId, CancellationToken cancellationToken) =>
        ExecuteAsync(DeactivateUserSql, new { UserId = userId }, cancellationToken);

    public Task CreateApiKeyAsync(
        Guid id,
        long userId,
        string label,
        string secureValue,
        string maskValue,
        IReadOnlyList<string> scopes,
        IReadOnlyList<long>? scopedTeams,
        IReadOnlyList<Guid>? scopedOrganizations,
        CancellationToken cancellationToken) =>
        ExecuteAsync(
            CreateApiKeySql,
            new
            {
                Id = id,
                UserId = userId,
                Label = label,
                SecureValue = secureValue,
                MaskValue = maskValue,
                Scopes = scopes.ToArray(),
                ScopedTeams = scopedTeams?.ToArray(),
                ScopedOrganizations = scopedOrganizations?.ToArray(),
            },
            cancellationToken);

    public async Task<bool> DeleteApiKeyAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(DeleteApiKeySql, new { Id = id }, cancellationToken: cancellationToken)) > 0;
    }

    private async Task ExecuteAsync(string sql, object parameters, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken));
    }

    private async Task<T> ScalarAsync<T>(string sql, object parameters, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<T>(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken))
            ?? throw new InvalidOperationException("The query returned no value.");
    }

    private sealed class ProjectRow
    {
        public long Id { get; set; }

        public Guid OrganizationId { get; set; }

        public string Name { get; set; } = string.Empty;
    }

    private sealed class UserRow
    {
        public long Id { get; set; }

        public Guid Uuid { get; set; }

        public string Email { get; set; } = string.Empty;

        public bool IsActive { get; set; }

        public User ToUser() => new(Id, Uuid, Email, IsActive);
    }
}
