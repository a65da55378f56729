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
/// <remarks>
/// SPEC §12: the document has a name of its own, so a host's own <c>AddOpenApi()</c> document
/// (<c>v1</c>) and Swashbuckle stay as they were beside it: only the folder operations are in ours,
/// and none of them in the host's (their ApiExplorer group is <see cref="DocumentName"/>).
/// </remarks>
public static class PersistedFolderOpenApi
{
    /// <summary>The document's name (and the folder actions' ApiExplorer group).</summary>
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
        // Our document by its name (MapOpenApi would serve "v1" on a route without {documentName}).
        // HEAD as well, as every GET of the API answers it; otherwise the /api/ fallback would call it unknown.
        endpoints.MapMethods(SchemaRoute, [HttpMethods.Get, HttpMethods.Head], WriteDocumentAsync).ExcludeFromDescription();
        endpoints.MapScalarApiReference(DocsRoute, options => options
            .WithTitle("PersistedFolder API")
            .WithOpenApiRoutePattern(SchemaRoute)
            .AddDocument(DocumentName, "PersistedFolder API", SchemaRoute, isDefault: true)
            // "Try it" starts with the personal API key scheme selected.
            .AddPreferredSecuritySchemes(PersistedFolderOperationTransformer.SecurityScheme)
            // Nothing on the page reaches an outside service: no AI agent, no MCP/deploy offers, no
            // "open in Scalar's web client" button, no telemetry, no fonts from a CDN (the script is
            // the package's own, served from here).
            .DisableAgent()
            .HideClientButton()
            .DisableMcp()
            .DisableTelemetry()
            .DisableDefaultFonts()
            .HideDeveloperTools());
        return endpoints;
    }

    private static async Task WriteDocumentAsync(HttpContext context)
    {
        var provider = context.RequestServices.GetRequiredKeyedService<IOpenApiDocumentProvider>(DocumentName);
        var document = await provider.GetOpenApiDocumentAsync(context.RequestAborted);
        var json = await document.SerializeAsJsonAsync(OpenApiSpecVersion.OpenApi3_0, context.RequestAborted);
        context.Response.ContentType = "application/json;charset=utf-8";
        await context.Response.WriteAsync(json, context.RequestAborted);
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
