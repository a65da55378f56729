using Asp.Versioning;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace PersistedFolder.Api.OpenApi;

/// <summary>
/// The document-wide parts of PostHog's schema: paths written with their trailing slash, the one
/// tag, the <c>PersonalAPIKeyAuth</c> scheme and exactly the four folder schemas (the binder's
/// input types that ApiExplorer described along the way are not part of the contract).
/// </summary>
internal sealed class PersistedFolderDocumentTransformer(IOptions<ApiVersioningOptions> versioning) : IOpenApiDocumentTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "PersistedFolder API",
            Version = versioning.Value.DefaultApiVersion.ToString(),
            Description = "PostHog's persisted folder API (web and desktop surfaces).",
        };

        var paths = new OpenApiPaths();
        foreach (var (path, item) in document.Paths.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            paths[path.EndsWith('/') ? path : path + "/"] = item;
        }

        document.Paths = paths;
        document.Tags = new HashSet<OpenApiTag> { new() { Name = PersistedFolderOperationTransformer.Tag } };
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas = PersistedFolderSchemas.Create(document);
        document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>(StringComparer.Ordinal)
        {
            [PersistedFolderOperationTransformer.SecurityScheme] = new OpenApiSecurityScheme { Type = SecuritySchemeType.Http, Scheme = "bearer" },
        };
        return Task.CompletedTask;
    }
}
