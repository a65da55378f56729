using Microsoft.AspNetCore.Diagnostics;
using PersistedFolder.Api.Controllers;

namespace PersistedFolder.Api.Errors;

/// <summary><see cref="ApiExceptionHandler"/> for exceptions of the folder endpoints; any other goes on
/// to the application's next handler (a host's own).</summary>
public sealed class FolderExceptionHandler(ApiExceptionHandler api) : IExceptionHandler
{
    public ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken) =>
        FolderEndpoints.Is(httpContext.Features.Get<IExceptionHandlerFeature>()?.Endpoint)
            ? api.TryHandleAsync(httpContext, exception, cancellationToken)
            : ValueTask.FromResult(false);
}
