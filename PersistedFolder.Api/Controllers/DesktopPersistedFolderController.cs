using Asp.Versioning;
using Microsoft.AspNetCore.Mvc;
using PersistedFolder.Core.Folders;

namespace PersistedFolder.Api.Controllers;

/// <summary>The desktop surface.</summary>
[ApiVersion("1.0")]
[Route("api/projects/{project_id}/desktop_persisted_folder")]
public sealed class DesktopPersistedFolderController : PersistedFolderControllerBase
{
    protected override Surface Surface => Surface.Desktop;
}
