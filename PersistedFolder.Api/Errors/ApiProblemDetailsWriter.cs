using Asp.Versioning;
using Asp.Versioning.ApiExplorer;
using PersistedFolder.Api.Controllers;

namespace PersistedFolder.Api.Errors;

/// <summary>
/// Writes the problem details that libraries produce (API versioning's 400s, MVC's client
/// errors on the folder endpoints) in the API's own error shape.
/// </summary>
public sealed class ApiProblemDetailsWriter(IServiceProvider services) : IProblemDetailsWriter
{
    private const string VersioningProblemPrefix = "https://docs.api-versioning.org/problems";

    public bool CanWrite(ProblemDetailsContext context) =>
        IsVersioningProblem(context)
        || FolderEndpoints.Is(context.HttpContext.GetEndpoint());

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        var status = context.ProblemDetails.Status ?? context.HttpContext.Response.StatusCode;
        ApiProblem problem;
        if (IsVersioningProblem(context))
        {
            var requested = string.Join(", ", context.HttpContext.Features.Get<IApiVersioningFeature>()?.RawRequestedApiVersions ?? []);
            var supported = string.Join(", ", services.GetRequiredService<IApiVersionDescriptionProvider>()
                .ApiVersionDescriptions.Select(d => d.ApiVersion.ToString()).Distinct(StringComparer.Ordinal));
            problem = ApiProblems.UnsupportedApiVersion(
                $"API version '{requested}' is not supported: {context.ProblemDetails.Title}. Supported versions: {supported}.");
        }
        else
        {
            problem = new ApiProblem(status, new ApiError(
                status >= 500 ? ApiProblems.ServerError : ApiProblems.InvalidRequest,
                status >= 500 ? "error" : "invalid",
                context.ProblemDetails.Title ?? "Invalid request."));
        }

        return new ValueTask(ApiProblemWriter.WriteAsync(context.HttpContext, problem));
    }

    private static bool IsVersioningProblem(ProblemDetailsContext context) =>
        context.ProblemDetails.Type?.StartsWith(VersioningProblemPrefix, StringComparison.Ordinal) == true;
}
