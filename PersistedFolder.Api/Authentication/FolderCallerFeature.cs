using System.Security.Claims;
using PersistedFolder.Api.Errors;

namespace PersistedFolder.Api.Authentication;

/// <summary>
/// Who a folder request is from, between the folder request filter and the action (a request
/// feature, seen only by the folder endpoints). Either a verified <see cref="Identity"/>, or a
/// <see cref="Presented"/> key left unverified for the operation's own statement to verify together
/// with the project and access (one round trip). Whatever answers before the operation (a 406, a
/// malformed project id, a 429) calls <see cref="VerifyAsync"/> first, so that a 401 keeps its place.
/// </summary>
public sealed class FolderCallerFeature
{
    private readonly FolderAuthenticator? authenticator;

    /// <summary>A request's caller before authentication: <paramref name="presented"/> is its key, if any.</summary>
    public FolderCallerFeature(PresentedKey? presented, FolderAuthenticator authenticator)
    {
        Presented = presented;
        this.authenticator = authenticator;
    }

    /// <summary>A caller already verified.</summary>
    public FolderCallerFeature(FolderIdentity identity, PresentedKey? presented = null)
    {
        Identity = identity;
        Presented = presented;
    }

    public PresentedKey? Presented { get; }

    /// <summary>The verified caller, once known; also set on <see cref="HttpContext.User"/>.</summary>
    public FolderIdentity? Identity { get; private set; }

    /// <summary>The feature the folder request filter set; a folder action never runs without it.</summary>
    public static FolderCallerFeature Of(HttpContext context) =>
        context.Features.Get<FolderCallerFeature>()
        ?? throw new InvalidOperationException("A folder action ran without the folder request filter.");

    /// <summary>No key, or a bearer token for the host's schemes: authenticates now (401/403 to answer, or null).</summary>
    public async ValueTask<ApiProblem?> AuthenticateAsync(HttpContext context)
    {
        var (identity, problem) = await Authenticator.AuthenticateAsync(context, Presented);
        Admit(context, identity);
        return problem;
    }

    /// <summary>Verifies the presented key if that has not happened yet: the 401 to answer, or null.</summary>
    public async ValueTask<ApiProblem?> VerifyAsync(HttpContext context)
    {
        if (Identity is not null)
        {
            return null;
        }

        if (Presented is null)
        {
            return ApiProblems.NotAuthenticated;
        }

        var (identity, problem) = await Authenticator.VerifyKeyAsync(context, Presented);
        Admit(context, identity);
        return problem;
    }

    private FolderAuthenticator Authenticator =>
        authenticator ?? throw new InvalidOperationException("A verified caller is not authenticated again.");

    private void Admit(HttpContext context, FolderIdentity? identity)
    {
        if (identity is null)
        {
            return;
        }

        // The host's principal stays (its identities first), with the folder identity beside it.
        var principal = identity.Key is null ? new ClaimsPrincipal(context.User) : new ClaimsPrincipal();
        principal.AddIdentity(identity);
        context.User = principal;
        Identity = identity;
    }
}
