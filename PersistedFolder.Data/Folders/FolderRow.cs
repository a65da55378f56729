using AutoMapper;
using PersistedFolder.Core.Folders;

namespace PersistedFolder.Data.Folders;

/// <summary>A <c>persisted_folder</c> row as Dapper reads it.</summary>
internal sealed class FolderRow
{
    public Guid Id { get; set; }

    public string Type { get; set; } = string.Empty;

    public string Protocol { get; set; } = string.Empty;

    public string Path { get; set; } = string.Empty;

    public DateTime CreatedAt { get; set; }

    public DateTime UpdatedAt { get; set; }
}

internal sealed class FolderRowProfile : Profile
{
    public FolderRowProfile() => CreateMap<FolderRow, Folder>();
}
