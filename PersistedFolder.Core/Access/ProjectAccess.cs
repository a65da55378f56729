namespace PersistedFolder.Core.Access;

/// <summary>A project named in a URL: a team id, or the user's current team (<c>@current</c>).</summary>
public readonly record struct ProjectReference(long? TeamId)
{
    public const string CurrentToken = "@current";

    public static ProjectReference Current { get; } = new(null);

    public bool IsCurrent => TeamId is null;

    /// <summary>Parses a route value; false for anything but <c>@current</c> or a non-negative integer.</summary>
    public static bool TryParse(string? value, out ProjectReference project)
    {
        if (value == CurrentToken)
        {
            project = Current;
            return true;
        }

        if (long.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id))
        {
            project = new ProjectReference(id);
            return true;
        }

        project = default;
        return false;
    }
}

/// <summary>A resolved project and whether the user is a member of its organization.</summary>
public sealed record ProjectAccess(long TeamId, Guid OrganizationId, bool IsMember);

/// <summary>Where projects and memberships come from; a host application may supply its own.</summary>
public interface IProjectAccessSource
{
    /// <summary>The project and the user's membership, or null when the project does not exist
    /// (or is <c>@current</c> and the user has no current project).</summary>
    Task<ProjectAccess?> FindAsync(ProjectReference project, long userId, CancellationToken cancellationToken);

    /// <summary>
    /// True only for the folder tables' own projects and memberships: a personal API key's operation
    /// then verifies the key and checks access in its own statement (<see cref="KeyCaller"/>, one round
    /// trip) instead of asking this source. Any other source is asked for every request.
    /// </summary>
    bool IsFolderTables => false;
}
