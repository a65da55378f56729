using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Mvc.Controllers;

namespace PersistedFolder.Api.Controllers;

/// <summary>Whether an endpoint or action belongs to a persisted-folder controller, so that the
/// API's behaviour (error bodies, JSON, 401s) stays off a host application's own endpoints.</summary>
public static class FolderEndpoints
{
    public static bool Is(Endpoint? endpoint) => IsAction(endpoint?.Metadata.GetMetadata<ControllerActionDescriptor>());

    public static bool IsAction(ActionDescriptor? action) =>
        action is ControllerActionDescriptor controller && controller.ControllerTypeInfo.IsSubclassOf(typeof(PersistedFolderControllerBase));
}
