using Microsoft.AspNetCore.Mvc;
using PersistedFolder.Api.Json;

namespace PersistedFolder.Api.Errors;

/// <summary>Writes an <see cref="ApiProblem"/> as the response: the only place error bodies are serialised.</summary>
public static class ApiProblemWriter
{
    public static Task WriteAsync(HttpContext context, ApiProblem problem)
    {
        var response = context.Response;
        response.StatusCode = problem.Status;
        if (problem.Headers is not null)
        {
            foreach (var (name, value) in problem.Headers)
            {
                response.Headers[name] = value;
            }
        }

        response.ContentType = "application/json";
        return response.WriteAsJsonAsync(problem.Error, ApiJson.Context.ApiError, "application/json", context.RequestAborted);
    }
}

/// <summary>An <see cref="ApiProblem"/> returned from a filter or an action.</summary>
public sealed class ApiProblemResult(ApiProblem problem) : ActionResult
{
    public ApiProblem Problem { get; } = problem;

    public override Task ExecuteResultAsync(ActionContext context) => ApiProblemWriter.WriteAsync(context.HttpContext, Problem);
}
