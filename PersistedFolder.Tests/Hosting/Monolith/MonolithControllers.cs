using System.ComponentModel.DataAnnotations;
using Asp.Versioning;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;

namespace PersistedFolder.Tests.Integration.Hosting.Monolith;

public sealed record NoteDto(long Id, string Title, string CreatedBy);

public sealed record NotePage(IReadOnlyList<NoteDto> Items, int TotalCount);

public sealed record NewNote([Required] string? Title);

public sealed record SignedInUser(string? Subject, string? EmailAddress, bool IsEditor);

public sealed record DatabaseName(string? CurrentDatabase);

public sealed record FeedbackInput([Required] string? Message, [System.ComponentModel.DataAnnotations.Range(1, 5)] int Rating);

public sealed record FeedbackReceipt(long Number, string Message, int Rating, string ReceivedAs);

public sealed record FeedbackStatus(string QueueState, bool AcceptsForms);

public sealed record ClientAddress(string? RemoteIpAddress, string RequestScheme);

public sealed record ReportSummary(string ReportName, int NoteCount);

/// <summary>The monolith's notes: JWT users only, URL-segment versions 1.0 and 2.0, its own EF Core database.</summary>
[ApiController]
[Authorize]
[ApiVersion(1.0)]
[ApiVersion(2.0)]
[Route("api/v{version:apiVersion}/notes")]
public sealed class NotesController(MonolithDbContext db) : ControllerBase
{
    [HttpGet]
    [MapToApiVersion(1.0)]
    public async Task<IReadOnlyList<NoteDto>> List(CancellationToken cancellationToken) =>
        await db.Notes.OrderBy(n => n.Id).Select(n => new NoteDto(n.Id, n.Title, n.CreatedBy)).ToListAsync(cancellationToken);

    [HttpGet]
    [MapToApiVersion(2.0)]
    public async Task<NotePage> Page(CancellationToken cancellationToken)
    {
        var items = await db.Notes.OrderBy(n => n.Id).Select(n => new NoteDto(n.Id, n.Title, n.CreatedBy)).ToListAsync(cancellationToken);
        return new NotePage(items, items.Count);
    }

    [HttpGet("{id:long}")]
    public async Task<ActionResult<NoteDto>> Get(long id, CancellationToken cancellationToken) =>
        await db.Notes.Where(n => n.Id == id).Select(n => new NoteDto(n.Id, n.Title, n.CreatedBy)).SingleOrDefaultAsync(cancellationToken) is { } note
            ? note
            : NotFound();

    [HttpPost]
    [Authorize(Policy = MonolithProgram.EditorPolicy)]
    public async Task<ActionResult<NoteDto>> Create(NewNote input, CancellationToken cancellationToken)
    {
        var note = new Note { Title = input.Title!, CreatedBy = User.FindFirst("sub")?.Value ?? "unknown" };
        db.Notes.Add(note);
        await db.SaveChangesAsync(cancellationToken);
        return Created($"/api/v1/notes/{note.Id}", new NoteDto(note.Id, note.Title, note.CreatedBy));
    }

    [HttpGet("me")]
    public SignedInUser Me() => new(User.FindFirst("sub")?.Value, User.FindFirst("email")?.Value, User.IsInRole("editor"));

    /// <summary>Which database EF Core talks to: the monolith's, never the folder API's.</summary>
    [HttpGet("database")]
    public async Task<DatabaseName> Database(CancellationToken cancellationToken) =>
        new(await db.Database.SqlQuery<string>($"SELECT current_database() AS \"Value\"").SingleAsync(cancellationToken));
}

/// <summary>Reports are expensive: the monolith's named rate limit policy on top of its global limiter.</summary>
[ApiController]
[Authorize]
[ApiVersion(1.0)]
[Route("api/v{version:apiVersion}/reports")]
[EnableRateLimiting(MonolithProgram.ReportsPolicy)]
public sealed class ReportsController(MonolithDbContext db) : ControllerBase
{
    [HttpGet]
    public async Task<ReportSummary> Summary(CancellationToken cancellationToken) => new("notes", await db.Notes.CountAsync(cancellationToken));
}

/// <summary>
/// Public and unversioned (version-neutral under the host's URL-segment versioning): binds JSON and
/// form bodies, throws on purpose, and tells what address and scheme it saw.
/// </summary>
[ApiController]
[ApiVersionNeutral]
[Route("api/feedback")]
public sealed class FeedbackController(FeedbackCounter counter) : ControllerBase
{
    [HttpGet]
    public FeedbackStatus Status() => new(counter.QueueState, AcceptsForms: true);

    [HttpPost]
    [Consumes("application/json")]
    public ActionResult<FeedbackReceipt> PostJson(FeedbackInput input) => Receive(input, "json");

    [HttpPost("form")]
    [Consumes("application/x-www-form-urlencoded")]
    public ActionResult<FeedbackReceipt> PostForm([FromForm] FeedbackInput input) => Receive(input, "form");

    [HttpGet("boom")]
    public FeedbackStatus Boom() => throw new InvalidOperationException($"{Request.Path} is on fire (on purpose).");

    [HttpGet("client")]
    public ClientAddress Client() => new(HttpContext.Connection.RemoteIpAddress?.ToString(), Request.Scheme);

    private CreatedResult Receive(FeedbackInput input, string how)
    {
        var number = counter.Next();
        return Created($"/api/feedback/{number}", new FeedbackReceipt(number, input.Message!, input.Rating, how));
    }
}

/// <summary>Numbers feedback per host instance, so every run numbers alike.</summary>
public sealed class FeedbackCounter
{
    private long last;

    public string QueueState => Interlocked.Read(ref last) < long.MaxValue ? "open" : "full";

    public long Next() => Interlocked.Increment(ref last);
}

/// <summary>The monolith's own authorization result handler: marks its challenges and refusals, then answers as ASP.NET Core does.</summary>
public sealed class MonolithAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    public const string Header = "X-Monolith-Authorization";

    private readonly Microsoft.AspNetCore.Authorization.Policy.AuthorizationMiddlewareResultHandler inner = new();

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, Microsoft.AspNetCore.Authorization.Policy.PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Challenged)
        {
            context.Response.Headers[Header] = "challenged";
        }
        else if (authorizeResult.Forbidden)
        {
            context.Response.Headers[Header] = "forbidden";
        }

        return inner.HandleAsync(next, context, policy, authorizeResult);
    }
}
