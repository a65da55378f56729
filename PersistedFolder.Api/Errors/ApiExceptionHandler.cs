using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Options;
using Npgsql;
using PersistedFolder.Api.Authentication;
using PersistedFolder.Api.Binding;
using PersistedFolder.Core.Access;
using PersistedFolder.Core.Folders;
using PersistedFolder.Data;

namespace PersistedFolder.Api.Errors;

/// <summary>
/// The one place exceptions of folder requests become responses (called by the folder request filter): a key
/// caller's refused operation its 401/404/403, domain validation and PostgreSQL's unique violation 400s, a lost database 503, anything unexpected a bare 500 (never a stack trace).
/// </summary>
public sealed class ApiExceptionHandler(IOptions<RequestBodyOptions> bodyOptions, ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (ClientFaults.IsClientAbort(httpContext, exception))
        {
            // The client went away (its database work was cancelled): nobody to answer, and
            // nothing to log but the request line (RequestLogMiddleware, 499).
            httpContext.Response.StatusCode = ClientFaults.ClientClosedRequest;
            return true;
        }

        var problem = exception switch
        {
            FolderValidationException invalid => ToProblem(invalid),
            FolderPreconditionFailedException => ApiProblems.PreconditionFailed,
            PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } => ToProblem(FolderValidationException.DuplicateType()),
            PostgresException { SqlState: PostgresErrorCodes.LockNotAvailable } => ApiProblems.LockNotAvailable,
            DatabaseBusyException => ApiProblems.ServiceBusy,
            // A host's own IProjectAccessSource granted a project or user the folder tables do not have.
            PostgresException { SqlState: PostgresErrorCodes.ForeignKeyViolation } => ApiProblems.PermissionDenied(AccessRules.NoProjectAccess),
            ApiProblemException carried => carried.Problem,
            FolderAccessDeniedException { Denial: FolderDenial.UnknownKey } => ApiProblems.InvalidKey(
                httpContext.Features.Get<FolderCallerFeature>()?.Presented?.Where ?? throw new InvalidOperationException("A key was refused that no request presented.", exception)),
            FolderAccessDeniedException { Denial: FolderDenial.ProjectNotFound } => ApiProblems.ProjectNotFound,
            FolderAccessDeniedException { Reason: { } reason } => ApiProblems.PermissionDenied(reason),
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => ApiProblems.RequestTooLarge(bodyOptions.Value.MaxRequestBodyBytes),
            BadHttpRequestException { StatusCode: StatusCodes.Status408RequestTimeout } => ApiProblems.RequestTimeout,
            BadHttpRequestException bad => ApiProblems.BadRequest(bad.StatusCode, $"Bad request - {bad.Message}"),
            NpgsqlException and not PostgresException => ApiProblems.ServiceUnavailable,
            PostgresException { IsTransient: true } => ApiProblems.ServiceUnavailable,
            _ => null,
        };

        if (problem is null)
        {
            logger.LogError(exception, "Unhandled exception on {Method} {Path}", httpContext.Request.Method, httpContext.Request.Path);
            problem = ApiProblems.ServerFailure;
        }
        else if (problem == ApiProblems.LockNotAvailable || problem == ApiProblems.ServiceBusy)
        {
            logger.LogInformation("{Code} on {Method} {Path}: {Reason}", problem.Error.Code, httpContext.Request.Method, httpContext.Request.Path, exception.Message);
        }
        else if (problem.Status == StatusCodes.Status503ServiceUnavailable)
        {
            logger.LogWarning("Database unavailable on {Method} {Path}: {Reason}", httpContext.Request.Method, httpContext.Request.Path, exception.Message);
        }

        await ApiProblemWriter.WriteAsync(httpContext, problem);
        return true;
    }

    private static ApiProblem ToProblem(FolderValidationException invalid) => ApiProblems.Validation(invalid.Code, invalid.Detail, invalid.Attr);
}
