using System.Text.Json;
using Microsoft.AspNetCore.Mvc.ApiExplorer;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using PersistedFolder.Api.Access;
using PersistedFolder.Api.Contracts;
using PersistedFolder.Core.Access;
using PersistedFolder.Core.Folders;

namespace PersistedFolder.Api.OpenApi;

/// <summary>
/// Each operation as PostHog's document has it: its operationId, summary and description, the
/// <c>persisted_folder</c> tag, the scope its personal API key needs, PostHog's parameter wording, the
/// body the custom binder reads (ApiExplorer cannot see it), the deprecation of the
/// <c>/api/environments/</c> alias; and beyond PostHog, every answer it can give (the error shape on
/// each error status, <c>ETag</c>, 304 and 412 with <c>If-None-Match</c>/<c>If-Match</c>).
/// </summary>
internal sealed class PersistedFolderOperationTransformer : IOpenApiOperationTransformer
{
    public const string Tag = "persisted_folder";
    public const string SecurityScheme = "PersonalAPIKeyAuth";

    /// <summary>PostHog's document names the alias's <c>{project_id}</c> so; the route itself is unchanged.</summary>
    public const string EnvironmentParameter = "environment_id";

    private const string AliasPrefix = "api/environments/";

    /// <summary>What <see cref="Binding.RequestBodyReader"/> parses.</summary>
    private static readonly string[] BodyMediaTypes = ["application/json", "application/x-www-form-urlencoded", "multipart/form-data"];

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var description = context.Description;
        var document = context.Document ?? throw new InvalidOperationException("The operation has no document.");
        var method = description.HttpMethod ?? string.Empty;
        var isAlias = IsAliasPath(description.RelativePath);
        var action = description.ActionDescriptor.RouteValues["action"] ?? string.Empty;
        var noun = Noun(description.RelativePath);

        operation.OperationId = OperationId(description);
        operation.Summary = Summary(action, noun);
        operation.Description = Description(action, noun, isAlias);
        operation.Deprecated = isAlias || description.IsDeprecated;
        operation.Tags = new HashSet<OpenApiTagReference> { new(Tag, document) };
        operation.Parameters = Parameters(operation, description, isAlias, method);
        operation.RequestBody = RequestBody(description, method, document);
        DropNoContentBody(operation);
        operation.Responses = PersistedFolderResponses.For(operation.Responses, method, operation.RequestBody is not null, document);
        operation.Security =
        [
            new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SecurityScheme, document)] = [Scope(method)] },
        ];
        return Task.CompletedTask;
    }

    /// <summary>Whether a path (with or without its leading slash) is the deprecated <c>/api/environments/</c> alias.</summary>
    public static bool IsAliasPath(string? path) =>
        path?.TrimStart('/').StartsWith(AliasPrefix, StringComparison.Ordinal) == true;

    /// <summary>The resource as PostHog's docs name it: the collection's path segment in words, "persisted folder", "desktop persisted folder".</summary>
    private static string Noun(string? relativePath)
    {
        var segment = (relativePath ?? string.Empty).Split('/', StringSplitOptions.RemoveEmptyEntries)
            .LastOrDefault(part => !part.StartsWith('{')) ?? "persisted_folder";
        return segment.Replace('_', ' ');
    }

    /// <summary>PostHog's docs titles: "List all desktop persisted folder", "Create …", "Retrieve …", "Update …" (PUT and PATCH), "Delete …".</summary>
    private static string Summary(string action, string noun) => action switch
    {
        "List" => $"List all {noun}",
        "Create" => $"Create {noun}",
        "Retrieve" => $"Retrieve {noun}",
        "Update" or "PartialUpdate" => $"Update {noun}",
        "Destroy" => $"Delete {noun}",
        _ => noun,
    };

    private static string Description(string action, string noun, bool isAlias)
    {
        var surface = noun.StartsWith("desktop ", StringComparison.Ordinal)
            ? "The desktop surface's folders: the signed-in user's `home`, `pinned` and `custom_products` folders in this project for the desktop app, fully separate from the web surface's."
            : "The web surface's folders: the signed-in user's `home`, `pinned` and `custom_products` folders in this project for the web app, fully separate from the desktop surface's.";
        var what = action switch
        {
            "List" => "Lists them ordered by type, paginated with `limit` and `offset`. The answer's `ETag` changes whenever any of them does; send it back in `If-None-Match` to get `304 Not Modified` while nothing changed.",
            "Create" => "Creates the folder of this `type`, or, when the user already has one on this surface, overwrites its `protocol` and `path` (omitted fields reset to `products://` and `''`) and keeps its `id`: always `201`.",
            "Retrieve" => "Returns one folder. Send its `ETag` back in `If-None-Match` to get `304 Not Modified` while it has not changed.",
            "Update" => "Replaces the folder: `type` is required; an omitted `protocol` or `path` keeps its value. With `If-Match`, only when the folder is still at that `ETag` (else `412`, nothing written).",
            "PartialUpdate" => "Changes only the fields sent (an empty body moves only `updated_at`). With `If-Match`, only when the folder is still at that `ETag` (else `412`, nothing written).",
            "Destroy" => "Deletes the folder. With `If-Match`, only when it is still at that `ETag` (else `412`, nothing deleted).",
            _ => string.Empty,
        };
        var deprecation = isAlias ? "\n\nDeprecated: use the same operation under `/api/projects/{project_id}/`." : string.Empty;
        return $"{surface}\n\n{what}{deprecation}";
    }

    /// <summary>
    /// drf-spectacular's naming as PostHog configures it: the path's literal segments without
    /// <c>api</c> and <c>projects</c>, then the viewset action (<c>PartialUpdate</c> → <c>partial_update</c>):
    /// <c>persisted_folder_list</c>, <c>environments_persisted_folder_retrieve</c>, …
    /// </summary>
    private static string OperationId(ApiDescription description)
    {
        var segments = (description.RelativePath ?? string.Empty)
            .Split('/', StringSplitOptions.RemoveEmptyEntries)
            .Where(segment => !segment.StartsWith('{') && segment is not ("api" or "projects"));
        var action = JsonNamingPolicy.SnakeCaseLower.ConvertName(description.ActionDescriptor.RouteValues["action"] ?? string.Empty);
        return string.Join('_', [.. segments, action]);
    }

    /// <summary>
    /// The route's path parameters in PostHog's words, and <c>limit</c>/<c>offset</c> on a paginated
    /// list. The <c>api-version</c> query parameter and <c>X-Api-Version</c> header are left out:
    /// 1.0 is assumed when absent, and PostHog's clients never send them.
    /// </summary>
    private static List<IOpenApiParameter> Parameters(OpenApiOperation operation, ApiDescription description, bool isAlias, string method)
    {
        var parameters = new List<IOpenApiParameter>();
        foreach (var parameter in operation.Parameters ?? [])
        {
            if (parameter.In == ParameterLocation.Path && parameter.Name is { } name)
            {
                parameters.Add(isAlias && name == "project_id" ? EnvironmentIdParameter() : PathParameter(name, parameter));
            }
        }

        if (HttpMethods.IsGet(method))
        {
            parameters.Add(HeaderParameter("If-None-Match", "An `ETag` from an earlier answer (or `*`): while it still matches, the answer is `304 Not Modified` with no body."));
        }
        else if (HttpMethods.IsPut(method) || HttpMethods.IsPatch(method) || HttpMethods.IsDelete(method))
        {
            parameters.Add(HeaderParameter("If-Match", "The folder's `ETag` as last read (or `*` for any existing folder): the write happens only if the folder has not changed since, else `412 precondition_failed` and nothing is written."));
        }

        if (description.SupportedResponseTypes.Any(response => response.Type == typeof(FolderPage)))
        {
            parameters.Add(QueryParameter("limit", "Number of results to return per page."));
            parameters.Add(QueryParameter("offset", "The initial index from which to return the results."));
        }

        // drf-spectacular lists parameters by name.
        return [.. parameters.OrderBy(parameter => parameter.Name, StringComparer.Ordinal)];
    }

    private static IOpenApiParameter PathParameter(string name, IOpenApiParameter generated) => name switch
    {
        "project_id" => new OpenApiParameter
        {
            Name = name,
            In = ParameterLocation.Path,
            Required = true,
            Description = "Project ID of the project you're trying to access. To find the ID of the project, make a call to /api/projects/.",
            Schema = new OpenApiSchema { Type = JsonSchemaType.String },
        },
        "id" => new OpenApiParameter
        {
            Name = name,
            In = ParameterLocation.Path,
            Required = true,
            Description = "A UUID string identifying this persisted folder.",
            Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "uuid" },
        },
        _ => generated,
    };

    private static OpenApiParameter EnvironmentIdParameter() => new()
    {
        Name = EnvironmentParameter,
        In = ParameterLocation.Path,
        Required = true,
        Description = "Deprecated. Use /api/projects/{project_id}/ instead.",
        Schema = new OpenApiSchema { Type = JsonSchemaType.String },
    };

    private static OpenApiParameter HeaderParameter(string name, string text) => new()
    {
        Name = name,
        In = ParameterLocation.Header,
        Required = false,
        Description = text,
        Schema = new OpenApiSchema { Type = JsonSchemaType.String },
    };

    private static OpenApiParameter QueryParameter(string name, string text) => new()
    {
        Name = name,
        In = ParameterLocation.Query,
        Required = false,
        Description = text,
        Schema = new OpenApiSchema { Type = JsonSchemaType.Integer },
    };

    /// <summary>The folder the binder reads, in every media type it parses; PATCH takes the all-optional variant.</summary>
    private static OpenApiRequestBody? RequestBody(ApiDescription description, string method, OpenApiDocument document)
    {
        if (!description.ParameterDescriptions.Any(parameter => parameter.Type == typeof(PersistedFolder.Api.Binding.FolderBody) || parameter.Source == BindingSource.Body))
        {
            return null;
        }

        var patch = HttpMethods.IsPatch(method);
        var schema = patch ? PersistedFolderSchemas.PatchedFolderRequest : PersistedFolderSchemas.FolderRequest;
        return new OpenApiRequestBody
        {
            Required = !patch,
            Content = BodyMediaTypes.ToDictionary(
                mediaType => mediaType,
                _ => new OpenApiMediaType { Schema = new OpenApiSchemaReference(schema, document) },
                StringComparer.Ordinal),
        };
    }

    /// <summary>
    /// The controller's <c>[Produces("application/json")]</c> reaches every response ApiExplorer
    /// lists, 204 included; DELETE answers an empty body with no Content-Type (SPEC §5).
    /// </summary>
    private static void DropNoContentBody(OpenApiOperation operation)
    {
        if (operation.Responses?.TryGetValue("204", out var response) == true && response is OpenApiResponse noContent)
        {
            noContent.Content = null;
            noContent.Description = "No response body";
        }
    }

    /// <summary>The scope <see cref="ProjectCallerBinder"/> demands of a personal API key for this method.</summary>
    private static string Scope(string method) =>
        HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method)
            ? $"{AccessRules.FolderScopeObject}:read"
            : $"{AccessRules.FolderScopeObject}:write";
}
