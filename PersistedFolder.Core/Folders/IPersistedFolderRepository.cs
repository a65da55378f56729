using PersistedFolder.Core.Access;

namespace PersistedFolder.Core.Folders;

/// <summary>
/// Storage of folders. Every method sees only the rows of one <see cref="FolderScope"/>. For a
/// <see cref="KeyCaller"/>, each method also verifies the key, resolves the project and checks access
/// in the same round trip, reports what it found (<see cref="Gated{T}.Facts"/>), and writes only
/// when <see cref="AccessRules"/> grant the write; its rows are those of the key's user in that project.
/// </summary>
public interface IPersistedFolderRepository
{
    /// <summary>The caller's facts only (no folder is read or written).</summary>
    Task<Gated<bool>> CheckAsync(FolderScope scope, CancellationToken cancellationToken);

    /// <summary>The scope's folders ordered by <c>lower(type)</c>; at most one per type.</summary>
    Task<Gated<IReadOnlyList<Folder>>> ListAsync(FolderScope scope, CancellationToken cancellationToken);

    Task<Gated<Folder?>> GetAsync(FolderScope scope, Guid id, CancellationToken cancellationToken);

    /// <summary>
    /// Inserts the scope's folder of <paramref name="type"/> or, when one exists (on web also a
    /// legacy NULL-surface row), overwrites its protocol and path, in one atomic statement. Null
    /// only when access is denied.
    /// </summary>
    Task<Gated<Folder?>> UpsertAsync(FolderScope scope, string type, string protocol, string path, CancellationToken cancellationToken);

    /// <summary>
    /// Applies the non-null changes and moves <c>updated_at</c> strictly forward; null when no such
    /// folder, or when <paramref name="precondition"/> does not hold (checked in the same statement).
    /// </summary>
    Task<Gated<Folder?>> UpdateAsync(FolderScope scope, Guid id, FolderChanges changes, FolderPrecondition precondition, CancellationToken cancellationToken);

    /// <summary>False when no such folder, or when <paramref name="precondition"/> does not hold (checked in the same statement).</summary>
    Task<Gated<bool>> DeleteAsync(FolderScope scope, Guid id, FolderPrecondition precondition, CancellationToken cancellationToken);
}
