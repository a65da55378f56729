using Asp.Versioning;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace PersistedFolder.Api.OpenApi;

/// <summary>
/// The document-wide parts of PostHog's schema: paths written with their trailing slash (canonical
/// first, the deprecated <c>/api/environments/</c> alias last, with PostHog's <c>environment_id</c>),
/// the one tag, the <c>PersonalAPIKeyAuth</c> scheme, the folder schemas and the error schema, and
/// <c>servers</c> from configuration (never from the request's <c>Host</c>).
/// </summary>
internal sealed class PersistedFolderDocumentTransformer(IConfiguration configuration) : IOpenApiDocumentTransformer
{
    /// <summary>The <c>servers</c> entry; relative by default so the document is right wherever it is served.</summary>
    public const string ServerUrlSetting = "PersistedFolder:OpenApi:ServerUrl";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "PersistedFolder API",
            Version = Versioning.FolderApiVersions.Default.ToString(),
            Description = """
                PostHog's persisted folder API: for each user and project, at most one folder of each type
                (`home`, `pinned`, `custom_products`), each a `protocol` + `path`, on two isolated surfaces
                (web and desktop).

                Authenticate with a personal API key: `Authorization: Bearer phx_…`.

                Every folder and page answer carries an `ETag`. Send it back in `If-None-Match` on a read to
                get `304 Not Modified`, or in `If-Match` on PUT, PATCH or DELETE so that the write happens only
                when nobody changed the folder since (`412 precondition_failed` otherwise).
                """,
        };
        var serverUrl = configuration[ServerUrlSetting];
        document.Servers = [new OpenApiServer { Url = string.IsNullOrWhiteSpace(serverUrl) ? "/" : serverUrl.Trim() }];

        var paths = new OpenApiPaths();
        foreach (var (path, item) in document.Paths
            .Select(pair => (Path: PublishedPath(pair.Key), Item: pair.Value))
            .OrderBy(pair => PersistedFolderOperationTransformer.IsAliasPath(pair.Path))
            .ThenBy(pair => pair.Path, StringComparer.Ordinal))
        {
            paths[path] = item;
        }

        document.Paths = paths;
        document.Tags = new HashSet<OpenApiTag>
        {
            new()
            {
                Name = PersistedFolderOperationTransformer.Tag,
                Description = "Per-user folders (home, pinned, custom products) of a project, on the web and desktop surfaces.",
            },
        };
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas = PersistedFolderSchemas.Create(document);
        document.Components.Responses = PersistedFolderResponses.Components(document);
        document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>(StringComparer.Ordinal)
        {
            [PersistedFolderOperationTransformer.SecurityScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "A personal API key (`phx_…`) with the `persisted_folder:read` or `persisted_folder:write` scope.",
            },
        };
        return Task.CompletedTask;
    }

    /// <summary>With its trailing slash, and the alias's parameter named as PostHog's document names it.</summary>
    private static string PublishedPath(string path)
    {
        var slashed = path.EndsWith('/') ? path : path + "/";
        return PersistedFolderOperationTransformer.IsAliasPath(slashed)
            ? slashed.Replace("{project_id}", $"{{{PersistedFolderOperationTransformer.EnvironmentParameter}}}", StringComparison.Ordinal)
            : slashed;
    }
}
