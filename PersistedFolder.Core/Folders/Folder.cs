namespace PersistedFolder.Core.Folders;

/// <summary>A stored persisted folder. Timestamps are UTC with microsecond precision.</summary>
public sealed record Folder(Guid Id, string Type, string Protocol, string Path, DateTime CreatedAt, DateTime UpdatedAt);

/// <summary>Whose folders an operation sees: one user's, in one team, on one surface.</summary>
public readonly record struct FolderScope(long TeamId, long UserId, Surface Surface);
