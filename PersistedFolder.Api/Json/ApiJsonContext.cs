using System.Text.Json.Serialization;
using PersistedFolder.Api.Contracts;
using PersistedFolder.Api.Errors;

namespace PersistedFolder.Api.Json;

/// <summary>Source-generated, snake_case, compact serialisation of everything the API writes.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(ApiError))]
[JsonSerializable(typeof(FolderDto))]
[JsonSerializable(typeof(FolderPage))]
[JsonSerializable(typeof(EndpointMetadata))]
public sealed partial class ApiJsonContext : JsonSerializerContext;
