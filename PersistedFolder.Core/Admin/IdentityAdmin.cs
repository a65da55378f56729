using PersistedFolder.Core.Keys;

namespace PersistedFolder.Core.Admin;

public sealed record Organization(Guid Id, string Name);

public sealed record Project(long Id, Guid OrganizationId, string Name);

public sealed record User(long Id, Guid Uuid, string Email, bool IsActive);

public sealed record Membership(Guid OrganizationId, long UserId, string Level);

public sealed record CurrentProject(long UserId, long CurrentTeamId);

public sealed record DeactivatedUser(long Id, bool IsActive);

public sealed record CreatedApiKey(
    Guid Id,
    string Label,
    string Value,
    string MaskValue,
    IReadOnlyList<string> Scopes,
    IReadOnlyList<long>? ScopedTeams,
    IReadOnlyList<Guid>? ScopedOrganizations);

public sealed record RevokedApiKey(Guid Id, bool Revoked);

/// <summary>A refused admin command; nothing was changed.</summary>
public sealed class AdminCommandException : Exception
{
    public AdminCommandException(string message)
        : base(message)
    {
    }
}

/// <summary>Storage of organizations, projects, users, memberships and keys (SPEC §2, §10).
/// Lookups return null when the thing does not exist.</summary>
public interface IIdentityRepository
{
    Task<Organization> CreateOrganizationAsync(string name, CancellationToken cancellationToken);

    Task<bool> OrganizationExistsAsync(Guid id, CancellationToken cancellationToken);

    Task<bool> ProjectExistsAsync(long id, CancellationToken cancellationToken);

    Task<Project> CreateProjectAsync(Guid organizationId, string name, CancellationToken cancellationToken);

    Task<User?> FindUserAsync(string email, CancellationToken cancellationToken);

    /// <summary>Creates the user and, when <paramref name="organizationId"/> is given, the membership, atomically.</summary>
    Task<User> CreateUserAsync(string email, Guid? organizationId, string level, CancellationToken cancellationToken);

    /// <summary>Adds the membership, or changes its level when it exists.</summary>
    Task<Membership> SetMembershipAsync(Guid organizationId, long userId, string level, CancellationToken cancellationToken);

    Task SetCurrentProjectAsync(long userId, long projectId, CancellationToken cancellationToken);

    Task DeactivateUserAsync(long userId, CancellationToken cancellationToken);

    Task CreateApiKeyAsync(Guid id, long userId, string label, string secureValue, string maskValue, IReadOnlyList<string> scopes, IReadOnlyList<long>? scopedTeams, IReadOnlyList<Guid>? scopedOrganizations, CancellationToken cancellationToken);

    Task<bool> DeleteApiKeyAsync(Guid id, CancellationToken cancellationToken);
}

/// <summary>The admin commands of SPEC §10: each checks everything before it changes anything.</summary>
public sealed class IdentityAdmin(IIdentityRepository repository)
{
    public static IReadOnlyList<string> Levels { get; } = ["member", "admin", "owner"];

    public Task<Organization> CreateOrganizationAsync(string name, CancellationToken cancellationToken) =>
        repository.CreateOrganizationAsync(RequireName(name), cancellationToken);

    public async Task<Project> CreateProjectAsync(Guid organizationId, string name, CancellationToken cancellationToken)
    {
        name = RequireName(name);
        await RequireOrganizationAsync(organizationId, cancellationToken);
        return await repository.CreateProjectAsync(organizationId, name, cancellationToken);
    }

    public async Task<User> CreateUserAsync(string email, Guid? organizationId, string? level, CancellationToken cancellationToken)
    {
        email = RequireEmail(email);
        var checkedLevel = RequireLevel(level);
        if (organizationId is { } org)
        {
            await RequireOrganizationAsync(org, cancellationToken);
        }

        if (await repository.FindUserAsync(email, cancellationToken) is not null)
        {
            throw new AdminCommandException($"A user with email {email} already exists.");
        }

        return await repository.CreateUserAsync(email, organizationId, checkedLevel, cancellationToken);
    }

    public async Task<Membership> AddMemberAsync(string email, Guid organizationId, string? level, CancellationToken cancellationToken)
    {
        var checkedLevel = RequireLevel(level);
        var user = await RequireUserAsync(email, cancellationToken);
        await RequireOrganizationAsync(organizationId, cancellationToken);
        return await repository.SetMembershipAsync(organizationId, user.Id, checkedLevel, cancellationToken);
    }

    public async Task<CurrentProject> SetCurrentProjectAsync(string email, long projectId, CancellationToken cancellationToken)
    {
        var user = await RequireUserAsync(email, cancellationToken);
        if (!await repository.ProjectExistsAsync(projectId, cancellationToken))
        {
            throw new AdminCommandException($"No project with id {projectId}.");
        }

        await repository.SetCurrentProjectAsync(user.Id, projectId, cancellationToken);
        return new CurrentProject(user.Id, projectId);
    }

    public async Task<DeactivatedUser> DeactivateUserAsync(string email, CancellationToken cancellationToken)
    {
        var user = await RequireUserAsync(email, cancellationToken);
        await repository.DeactivateUserAsync(user.Id, cancellationToken);
        return new DeactivatedUser(user.Id, false);
    }

    public async Task<CreatedApiKey> CreateApiKeyAsync(
        string email,
        string label,
        IReadOnlyList<string> scopes,
        IReadOnlyList<long>? scopedTeams,
        IReadOnlyList<Guid>? scopedOrganizations,
        CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(label) || Folders.FolderValidator.CodePoints(label) > PersonalApiKeys.MaxLabelLength)
        {
            throw new AdminCommandException($"--label must be 1 to {PersonalApiKeys.MaxLabelLength} characters.");
        }

        if (scopes.Count == 0 || scopes.Any(string.IsNullOrWhiteSpace))
        {
            throw new AdminCommandException("--scopes must name at least one scope, e.g. \"persisted_folder:read,persisted_folder:write\" or \"*\".");
        }

        var user = await RequireUserAsync(email, cancellationToken);
        var value = PersonalApiKeys.Generate();
        var key = new CreatedApiKey(Guid.CreateVersion7(), label, value, PersonalApiKeys.Mask(value), scopes, scopedTeams, scopedOrganizations);
        await repository.CreateApiKeyAsync(
            key.Id, user.Id, label, PersonalApiKeys.SecureValue(value), key.MaskValue, scopes, scopedTeams, scopedOrganizations, cancellationToken);
        return key;
    }

    public async Task<RevokedApiKey> RevokeApiKeyAsync(Guid id, CancellationToken cancellationToken) =>
        await repository.DeleteApiKeyAsync(id, cancellationToken)
            ? new RevokedApiKey(id, true)
            : throw new AdminCommandException($"No personal API key with id {id}.");

    private static string RequireName(string name) =>
        string.IsNullOrWhiteSpace(name) ? throw new AdminCommandException("--name must not be empty.") : name;

    private static string RequireEmail(string email) =>
        string.IsNullOrWhiteSpace(email) || !email.Contains('@', StringComparison.Ordinal) || email.Length > 254
            ? throw new AdminCommandException($"--email '{email}' is not an email address.")
            : email.Trim();

    private static string RequireLevel(string? level) =>
        level is null ? "member"
        : Levels.Contains(level) ? level
        : throw new AdminCommandException($"--level must be one of {string.Join(", ", Levels)}, not '{level}'.");

    private async Task RequireOrganizationAsync(Guid id, CancellationToken cancellationToken)
    {
        if (!await repository.OrganizationExistsAsync(id, cancellationToken))
        {
            throw new AdminCommandException($"No organization with id {id}.");
        }
    }

    private async Task<User> RequireUserAsync(string email, CancellationToken cancellationToken) =>
        await repository.FindUserAsync(email, cancellationToken)
        ?? throw new AdminCommandException($"No user with email {email}.");
}
