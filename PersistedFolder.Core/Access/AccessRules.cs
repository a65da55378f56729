namespace PersistedFolder.Core.Access;

/// <summary>What a personal API key may do, as far as project access is concerned.</summary>
public sealed record KeyGrant(IReadOnlyCollection<string> Scopes, IReadOnlyCollection<long>? ScopedTeams, IReadOnlyCollection<Guid>? ScopedOrganizations)
{
    public static KeyGrant Of(Keys.PersonalApiKey key) => new(key.Scopes, key.ScopedTeams, key.ScopedOrganizations);
}

/// <summary>
/// The checks of SPEC §4 after the project is resolved, in its order: the key's scoped teams,
/// its scoped organizations, its scopes, then membership. Principals that did not come from a
/// personal API key (<paramref name="key"/> null) skip the key checks, as PostHog's session users do.
/// </summary>
public static class AccessRules
{
    public const string AllScopes = "*";

    /// <summary>The scope object of the folder endpoints: <c>persisted_folder:read</c> and <c>:write</c>.</summary>
    public const string FolderScopeObject = "persisted_folder";

    /// <summary>The denial of a user who is not a member of the project's organization.</summary>
    public const string NoProjectAccess = "You don't have access to the project.";

    /// <summary>The reason access is denied, or null when it is granted.</summary>
    public static string? Deny(ProjectAccess project, KeyGrant? key, string scopeObject, bool write)
    {
        if (key is not null)
        {
            // An empty restriction list restricts nothing, as in PostHog.
            if (key.ScopedTeams is { Count: > 0 } teams && !teams.Contains(project.TeamId))
            {
                return $"API key does not have access to the requested project: ID {project.TeamId}.";
            }

            if (key.ScopedOrganizations is { Count: > 0 } organizations && !organizations.Contains(project.OrganizationId))
            {
                return $"API key does not have access to the requested organization: ID {project.OrganizationId}.";
            }

            var required = RequiredScope(scopeObject, write);
            if (!Grants(key.Scopes, scopeObject, write))
            {
                return $"API key missing required scope '{required}'";
            }
        }

        return project.IsMember ? null : NoProjectAccess;
    }

    public static string RequiredScope(string scopeObject, bool write) => $"{scopeObject}:{(write ? "write" : "read")}";

    /// <summary>Every scope that <see cref="Grants"/> the access (for a database statement that checks it: <c>scopes &amp;&amp; @granting</c>).</summary>
    public static string[] GrantingScopes(string scopeObject, bool write) =>
        write ? [AllScopes, RequiredScope(scopeObject, write: true)] : [AllScopes, RequiredScope(scopeObject, write: false), RequiredScope(scopeObject, write: true)];

    /// <summary><c>X:write</c> also grants <c>X:read</c>; <c>*</c> grants everything; no scope grants nothing.</summary>
    public static bool Grants(IReadOnlyCollection<string> scopes, string scopeObject, bool write)
    {
        foreach (var scope in scopes)
        {
            if (scope == AllScopes || scope == RequiredScope(scopeObject, write) || (!write && scope == RequiredScope(scopeObject, write: true)))
            {
                return true;
            }
        }

        return false;
    }
}
