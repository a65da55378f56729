using PersistedFolder.Core.Access;

namespace PersistedFolder.Core.Folders;

/// <summary>A stored persisted folder. Timestamps are UTC with microsecond precision.</summary>
public sealed record Folder(Guid Id, string Type, string Protocol, string Path, DateTime CreatedAt, DateTime UpdatedAt);

/// <summary>
/// Whose folders an operation sees: one user's, in one team, on one surface. The caller is either
/// already granted (<see cref="GrantedCaller"/>) or a key the operation checks itself (<see cref="KeyCaller"/>).
/// </summary>
public readonly record struct FolderScope(FolderCaller Caller, Surface Surface)
{
    public FolderScope(long teamId, long userId, Surface surface)
        : this(new GrantedCaller(teamId, userId), surface)
    {
    }
}
