using System.Text.Json.Serialization;
using AutoMapper;
using PersistedFolder.Api.Json;
using PersistedFolder.Core.Folders;

namespace PersistedFolder.Api.Contracts;

/// <summary>A folder on the wire (schema <c>PersistedFolder</c>).</summary>
public sealed record FolderDto(
    Guid Id,
    string Type,
    string Protocol,
    string Path,
    [property: JsonConverter(typeof(MicrosecondUtcConverter))] DateTime CreatedAt,
    [property: JsonConverter(typeof(MicrosecondUtcConverter))] DateTime UpdatedAt);

/// <summary>A limit/offset page (schema <c>PaginatedPersistedFolderList</c>).</summary>
public sealed record FolderPage(int Count, string? Next, string? Previous, IReadOnlyList<FolderDto> Results);

/// <summary>What OPTIONS answers besides the <c>Allow</c> header, as DRF's metadata does.</summary>
public sealed record EndpointMetadata(string Name, string Description, IReadOnlyList<string> Renders, IReadOnlyList<string> Parses);

public sealed class FolderDtoProfile : Profile
{
    public FolderDtoProfile() => CreateMap<Folder, FolderDto>();
}
