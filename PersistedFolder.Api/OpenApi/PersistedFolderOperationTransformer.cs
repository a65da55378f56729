using System.Text.Json;
using Microsoft.AspNetCore.Mvc.ApiExplorer;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using PersistedFolder.Api.Access;
using PersistedFolder.Api.Contracts;
using PersistedFolder.Core.Folders;

namespace PersistedFolder.Api.OpenApi;

/// <summary>
/// Each operation as PostHog's document has it: its operationId, the <c>persisted_folder</c> tag,
/// the scope its personal API key needs, PostHog's parameter wording, the body the custom binder
/// reads (ApiExplorer cannot see it) and the deprecation of the <c>/api/environments/</c> alias.
/// </summary>
internal sealed class PersistedFolderOperationTransformer : IOpenApiOperationTransformer
{
    public const string Tag = "persisted_folder";
    public const string SecurityScheme = "PersonalAPIKeyAuth";

    /// <summary>What <see cref="Binding.RequestBodyReader"/> parses.</summary>
    private static readonly string[] BodyMediaTypes = ["application/json", "application/x-www-form-urlencoded", "multipart/form-data"];

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var description = context.Description;
        var document = context.Document ?? throw new InvalidOperationException("The operation has no document.");
        var method = description.HttpMethod ?? string.Empty;
        var isAlias = description.RelativePath?.StartsWith("api/environments/", StringComparison.Ordinal) == true;

        operation.OperationId = OperationId(description);
        operation.Deprecated = isAlias || description.IsDeprecated;
        operation.Tags = new HashSet<OpenApiTagReference> { new(Tag, document) };
        operation.Parameters = Parameters(operation, description);
        operation.RequestBody = RequestBody(description, method, document);
        DropNoContentBody(operation);
        operation.Security =
        [
            new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SecurityScheme, document)] = [Scope(method)] },
        ];
        return Task.CompletedTask;
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
    private static List<IOpenApiParameter> Parameters(OpenApiOperation operation, ApiDescription description)
    {
        var parameters = new List<IOpenApiParameter>();
        foreach (var parameter in operation.Parameters ?? [])
        {
            if (parameter.In == ParameterLocation.Path && parameter.Name is { } name)
            {
                parameters.Add(PathParameter(name, parameter));
            }
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
        var schema = patch ? PersistedFolderSchemas.PatchedFolder : PersistedFolderSchemas.Folder;
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

    /// <summary>The scope <see cref="ProjectAccessFilter"/> demands of a personal API key for this method.</summary>
    private static string Scope(string method) =>
        HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method)
            ? $"{ProjectGrantBinder.ScopeObject}:read"
            : $"{ProjectGrantBinder.ScopeObject}:write";
}
