namespace PersistedFolder.Core.Folders;

/// <summary>
/// What a write demands of the folder's current version (an HTTP <c>If-Match</c>, without HTTP):
/// <see cref="UpdatedAt"/> null means unconditional; otherwise the write happens only when the
/// stored <c>updated_at</c> is one of them, checked in the write's own statement so no other write
/// can slip in between the check and the write.
/// </summary>
public readonly record struct FolderPrecondition(IReadOnlyList<DateTime>? UpdatedAt)
{
    public static FolderPrecondition None => default;

    public bool IsUnconditional => UpdatedAt is null;

    /// <summary>Only when the folder is still at one of these versions (an empty list matches nothing).</summary>
    public static FolderPrecondition UpdatedAtOneOf(IReadOnlyList<DateTime> versions) => new(versions);
}

/// <summary>The folder exists but is no longer at the version the write was conditional on; nothing was written.</summary>
public sealed class FolderPreconditionFailedException()
    : Exception("The folder has changed since the version the request was conditional on.");
