using AutoMapper;
using PersistedFolder.Core.Folders;

namespace PersistedFolder.Data.Folders;

/// <summary>
/// A <c>persisted_folder</c> row as Dapper reads it; a key caller's statements add their gate's
/// columns (the same on every row), and their folder columns are NULL when no folder matched.
/// </summary>
internal sealed class FolderRow
{
    public Guid? Id { get; set; }

    public string? Type { get; set; }

    public string? Protocol { get; set; }

    public string? Path { get; set; }

    public DateTime? CreatedAt { get; set; }

    public DateTime? UpdatedAt { get; set; }

    public Guid? KeyId { get; set; }

    public long? UserId { get; set; }

    public string[]? Scopes { get; set; }

    public long[]? ScopedTeams { get; set; }

    public Guid[]? ScopedOrganizations { get; set; }

    public DateTime? LastUsedAt { get; set; }

    public long? TeamId { get; set; }

    public Guid? OrganizationId { get; set; }

    public bool? IsMember { get; set; }

    public bool? Allowed { get; set; }
}

internal sealed class FolderRowProfile : Profile
{
    public FolderRowProfile() => CreateMap<FolderRow, Folder>();
}
