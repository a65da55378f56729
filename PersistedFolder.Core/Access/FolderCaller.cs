namespace PersistedFolder.Core.Access;

/// <summary>Who a folder operation acts for, as far as storage is concerned.</summary>
public abstract record FolderCaller
{
    private protected FolderCaller()
    {
    }
}

/// <summary>
/// A user already granted access to a project: a host principal, or any caller while a host's own
/// <see cref="IProjectAccessSource"/> decides access. The operation only sees this user's rows.
/// </summary>
public sealed record GrantedCaller(long TeamId, long UserId) : FolderCaller;

/// <summary>
/// A personal API key not verified yet, by its stored form, and the project the request names.
/// The operation's own database statement looks the key up, resolves the project and applies
/// <see cref="AccessRules"/> (one round trip, and no write unless access is granted); the service
/// then answers from what the statement found (<see cref="KeyFacts"/>).
/// </summary>
public sealed record KeyCaller(string SecureValue, ProjectReference Project) : FolderCaller;

/// <summary>
/// What an operation of a <see cref="KeyCaller"/> found: the key of an active user (null: none has
/// this value) and the project with the key user's membership (null: no such project). For a
/// write, <see cref="WriteAllowed"/> is what the statement's own access condition decided.
/// </summary>
public sealed record KeyFacts(Keys.PersonalApiKey? Key, ProjectAccess? Access, bool? WriteAllowed = null);

/// <summary>The result of an operation with the facts of its <see cref="KeyCaller"/> (null for a <see cref="GrantedCaller"/>).</summary>
public readonly record struct Gated<T>(T Value, KeyFacts? Facts);

/// <summary>Why a folder operation was refused before it did anything.</summary>
public enum FolderDenial
{
    /// <summary>The key is no active user's key (401).</summary>
    UnknownKey,

    /// <summary>The project does not exist (404).</summary>
    ProjectNotFound,

    /// <summary>The key's restrictions or scopes, or membership, deny access (403, with <see cref="FolderAccessDeniedException.Reason"/>).</summary>
    Forbidden,
}

/// <summary>A <see cref="KeyCaller"/>'s operation refused by the checks of SPEC §4; nothing was written.</summary>
public sealed class FolderAccessDeniedException(FolderDenial denial, string? reason = null)
    : Exception(reason ?? denial.ToString())
{
    public FolderDenial Denial { get; } = denial;

    public string? Reason { get; } = reason;
}
