namespace PersistedFolder.Api.Errors;

/// <summary>The one error body of the API: <c>{"type","code","detail","attr"}</c>.</summary>
public sealed record ApiError(string Type, string Code, string Detail, string? Attr = null);

/// <summary>An error with its HTTP status and any headers it must carry.</summary>
public sealed record ApiProblem(int Status, ApiError Error, IReadOnlyDictionary<string, string>? Headers = null);

/// <summary>Every error the API answers with, by name, so wording lives in one place.</summary>
public static class ApiProblems
{
    public const string AuthenticationError = "authentication_error";
    public const string ValidationError = "validation_error";
    public const string InvalidRequest = "invalid_request";
    public const string ThrottledError = "throttled_error";
    public const string ServerError = "server_error";

    private static readonly Dictionary<string, string> BearerChallenge = new() { ["WWW-Authenticate"] = "Bearer" };

    public static ApiProblem NotAuthenticated { get; } = new(
        401, new(AuthenticationError, "not_authenticated", "Authentication credentials were not provided."), BearerChallenge);

    public static ApiProblem NotFound { get; } = new(404, new(InvalidRequest, "not_found", "Not found."));

    public static ApiProblem ProjectNotFound { get; } = new(404, new(InvalidRequest, "not_found", "Project not found."));

    public static ApiProblem EndpointNotFound { get; } = new(404, new(InvalidRequest, "not_found", "Endpoint not found."));

    public static ApiProblem ServerFailure { get; } = new(500, new(ServerError, "error", "A server error occurred."));

    /// <summary><paramref name="where"/>: "Authorization header", "body" or "query string".</summary>
    public static ApiProblem InvalidKey(string where) => new(
        401, new(AuthenticationError, "authentication_failed", $"Personal API key found in request {where} is invalid."), BearerChallenge);

    public static ApiProblem PermissionDenied(string detail) => new(403, new(AuthenticationError, "permission_denied", detail));

    public static ApiProblem MethodNotAllowed(string method, string allow) => new(
        405,
        new(InvalidRequest, "method_not_allowed", $"Method \"{method}\" not allowed."),
        new Dictionary<string, string> { ["Allow"] = allow });

    public static ApiProblem Validation(string code, string detail, string? attr) => new(400, new(ValidationError, code, detail, attr));

    public static ApiProblem ParseError(string detail) => new(400, new(InvalidRequest, "parse_error", detail));

    public static ApiProblem UnsupportedMediaType(string contentType) =>
        new(415, new(InvalidRequest, "unsupported_media_type", $"Unsupported media type \"{contentType}\" in request."));

    public static ApiProblem NotAcceptable { get; } =
        new(406, new(InvalidRequest, "not_acceptable", "Could not satisfy the request Accept header."));

    public static ApiProblem RequestTooLarge(long limit) => new(
        413, new(InvalidRequest, "request_too_large", $"Request body is too large: the limit is {limit} bytes."));

    public static ApiProblem PreconditionFailed { get; } = new(
        412, new(InvalidRequest, "precondition_failed", "The folder has changed: If-Match does not match its current ETag. Nothing was written."));

    public static ApiProblem UnsupportedApiVersion(string detail) => new(400, new(InvalidRequest, "unsupported_api_version", detail));

    public static ApiProblem Throttled(int seconds) => new(
        429,
        new(ThrottledError, "throttled", $"Request was throttled. Expected available in {seconds} {(seconds == 1 ? "second" : "seconds")}."),
        new Dictionary<string, string> { ["Retry-After"] = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture) });

    public static ApiProblem ServiceUnavailable { get; } = new(
        503,
        new(ServerError, "service_unavailable", "The database is unavailable. Please retry shortly."),
        new Dictionary<string, string> { ["Retry-After"] = "1" });

    // Issue 11: contention and client faults. None of them is the outage's wording.

    /// <summary>A folder write gave up waiting for a row lock held by another transaction.</summary>
    public static ApiProblem LockNotAvailable { get; } = new(
        409,
        new(InvalidRequest, "conflict", "The folder is being changed by another request. Please retry."),
        new Dictionary<string, string> { ["Retry-After"] = "1" });

    /// <summary>The database is up, but every pooled connection stayed in use for the whole pool wait.</summary>
    public static ApiProblem ServiceBusy { get; } = new(
        503,
        new(ServerError, "service_busy", "The service is busy. Please retry shortly."),
        new Dictionary<string, string> { ["Retry-After"] = "1" });

    /// <summary>Kestrel's minimum request body data rate was not met.</summary>
    public static ApiProblem RequestTimeout { get; } = new(
        408, new(InvalidRequest, "request_timeout", "The request body did not arrive in time."));

    /// <summary>Another Kestrel refusal of the request, with its own status code.</summary>
    public static ApiProblem BadRequest(int status, string detail) =>
        new(status, new(InvalidRequest, status == 400 ? "parse_error" : "bad_request", detail));
}
