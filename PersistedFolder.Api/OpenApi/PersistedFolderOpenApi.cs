using System.Text.Json.Serialization.Metadata;
using Asp.Versioning;
using Microsoft.AspNetCore.Mvc.ApiExplorer;
using Microsoft.AspNetCore.Mvc.Controllers;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using PersistedFolder.Api.Contracts;
using PersistedFolder.Api.Controllers;
using Scalar.AspNetCore;

namespace PersistedFolder.Api.OpenApi;

/// <summary>
/// SPEC §9: the OpenAPI document at <c>/api/schema/</c>, shaped like PostHog's (drf-spectacular's)
/// so its clients and generators see the same operations, and Scalar's reference page at
/// <c>/api/docs/</c>. Both are public, as PostHog's are.
/// </summary>
public static class PersistedFolderOpenApi
{
    /// <summary>The document's name, its own beside a host's documents (ASP.NET Core's and Swashbuckle's default is <c>v1</c>);
    /// also the folder operations' ApiExplorer group, so a host's documents leave them out.</summary>
    public const string DocumentName = "persisted_folder";

    public const string SchemaRoute = "/api/schema/";

    public const string DocsRoute = "/api/docs";

    public static IServiceCollection AddPersistedFolderOpenApi(this IServiceCollection services)
    {
        services.AddOpenApi(DocumentName, options =>
        {
            // PostHog publishes OpenAPI 3.0.3; tools written against it read 3.0.
            options.OpenApiVersion = OpenApiSpecVersion.OpenApi3_0;
            options.CreateSchemaReferenceId = SchemaReferenceId;
            options.AddDocumentTransformer<PersistedFolderDocumentTransformer>();
            options.AddOperationTransformer<PersistedFolderOperationTransformer>();
            // The folder operations and nothing else: a host documents its own endpoints itself.
            options.ShouldInclude = IsFolderOperation;
        });
        return services;
    }

    public static IEndpointRouteBuilder MapPersistedFolderOpenApi(this IEndpointRouteBuilder endpoints)
    {
        // HEAD as well, as every GET of the API answers it; otherwise the /api/ fallback would call it unknown.
        // MapOpenApi serves the document its route names, "v1" when the route has none: this route names ours.
        endpoints.MapOpenApi($"{SchemaRoute}{{documentName:regex(^{DocumentName}$)={DocumentName}}}")
            .WithMetadata(new HttpMethodMetadata([HttpMethods.Get, HttpMethods.Head]));
        endpoints.MapScalarApiReference(DocsRoute, options => options
            .WithTitle("PersistedFolder API")
            .WithOpenApiRoutePattern(SchemaRoute));
        return endpoints;
    }

    /// <summary>The response DTOs under PostHog's schema names; <see cref="PersistedFolderDocumentTransformer"/> writes their contents.</summary>
    private static string? SchemaReferenceId(JsonTypeInfo type) =>
        type.Type == typeof(FolderDto) ? PersistedFolderSchemas.Folder
        : type.Type == typeof(FolderPage) ? PersistedFolderSchemas.Page
        : OpenApiOptions.CreateDefaultSchemaReferenceId(type);

    /// <summary>A folder action; HEAD is GET without a body and has no operation of its own, as in PostHog's document.</summary>
    private static bool IsFolderOperation(ApiDescription description) =>
        FolderEndpoints.IsAction(description.ActionDescriptor)
        && !HttpMethods.IsHead(description.HttpMethod ?? string.Empty);
}
