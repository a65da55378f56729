namespace PersistedFolder.Core.Folders;

/// <summary>Storage of folders. Every method sees only the rows of one <see cref="FolderScope"/>.</summary>
public interface IPersistedFolderRepository
{
    /// <summary>The scope's folders ordered by <c>lower(type)</c>; at most one per type.</summary>
    Task<IReadOnlyList<Folder>> ListAsync(FolderScope scope, CancellationToken cancellationToken);

    Task<Folder?> GetAsync(FolderScope scope, Guid id, CancellationToken cancellationToken);

    /// <summary>
    /// Inserts the scope's folder of <paramref name="type"/> or, when one exists (on web also a
    /// legacy NULL-surface row), overwrites its protocol and path, in one atomic statement.
    /// </summary>
    Task<Folder> UpsertAsync(FolderScope scope, string type, string protocol, string path, CancellationToken cancellationToken);

    /// <summary>
    /// Applies the non-null changes and moves <c>updated_at</c> strictly forward; null when no such
    /// folder, or when <paramref name="precondition"/> does not hold (checked in the same statement).
    /// </summary>
    Task<Folder?> UpdateAsync(FolderScope scope, Guid id, FolderChanges changes, FolderPrecondition precondition, CancellationToken cancellationToken);

    /// <summary>False when no such folder, or when <paramref name="precondition"/> does not hold (checked in the same statement).</summary>
    Task<bool> DeleteAsync(FolderScope scope, Guid id, FolderPrecondition precondition, CancellationToken cancellationToken);
}
