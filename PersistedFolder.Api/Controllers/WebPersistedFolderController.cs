using Asp.Versioning;
using Microsoft.AspNetCore.Mvc;
using PersistedFolder.Core.Folders;

namespace PersistedFolder.Api.Controllers;

/// <summary>The web surface, also served under PostHog's deprecated <c>/api/environments/</c> alias.</summary>
[ApiVersion("1.0")]
[Route("api/projects/{project_id}/persisted_folder")]
[Route("api/environments/{project_id}/persisted_folder")]
public sealed class WebPersistedFolderController : PersistedFolderControllerBase
{
    protected override Surface Surface => Surface.Web;
}
