using Microsoft.AspNetCore.Connections;

namespace PersistedFolder.Api.Errors;

/// <summary>What counts as the client having gone away: such a request is logged once as 499 and
/// never answered (there is nobody to read the answer, and writing it would only fail again).</summary>
public static class ClientFaults
{
    public const int ClientClosedRequest = StatusCodes.Status499ClientClosedRequest;

    // Kestrel's words for a body cut short by a closed connection (RequestRejectionReason is internal).
    private const string UnexpectedEndOfBody = "Unexpected end of request content";

    public static bool IsClientAbort(HttpContext context, Exception exception) =>
        exception switch
        {
            ConnectionResetException or ConnectionAbortedException => true,
            BadHttpRequestException bad => bad.Message.StartsWith(UnexpectedEndOfBody, StringComparison.Ordinal)
                || (context.RequestAborted.IsCancellationRequested && bad.StatusCode != StatusCodes.Status408RequestTimeout),
            OperationCanceledException or IOException => context.RequestAborted.IsCancellationRequested,
            _ => false,
        };
}
