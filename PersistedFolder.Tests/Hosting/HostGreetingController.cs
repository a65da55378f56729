using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace PersistedFolder.Tests.Integration.Hosting;

/// <summary>What the host's controller answers, in the host's JSON (camelCase, ASP.NET Core's default).</summary>
public sealed record HostGreeting(string Message, string ServedBy);

/// <summary>The host's own controller, found by MVC in the host's assembly.</summary>
[ApiController]
[Route("host")]
public sealed class HostGreetingController : ControllerBase
{
    public const string ServedBy = "embedding host";

    [HttpGet("hello")]
    public HostGreeting Hello() => new($"Hello from {Request.Path}", ServedBy);

    /// <summary>Only for the host's users (its default scheme), never for a personal API key.</summary>
    [Authorize]
    [HttpGet("me")]
    public HostGreeting Me() => new($"Hello, user {User.FindFirst(HostUserAuthentication.UserIdClaim)?.Value}", ServedBy);

    /// <summary>Greeting 1 exists; any other is the host's own 404 (MVC's problem details).</summary>
    [HttpGet("greetings/{id:int}")]
    public ActionResult<HostGreeting> Greeting(int id) => id == 1 ? new HostGreeting("Greeting 1", ServedBy) : NotFound();

    [HttpGet("fail")]
    public HostGreeting Fail() => throw new InvalidOperationException($"{Request.Path} failed on purpose.");
}
