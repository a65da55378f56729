using Microsoft.AspNetCore.Routing.Matching;
using Microsoft.AspNetCore.Routing.Patterns;
using PersistedFolder.Api.Controllers;

namespace PersistedFolder.Api.Routing;

/// <summary>
/// ASP.NET Core matches literal route segments ignoring case; PostHog's URLs are case-sensitive,
/// so <c>/API/Projects/1/Persisted_Folder/</c> must be the 404 of an unknown path, not a folder
/// route. This drops folder endpoints whose literal segments differ in case from the request.
/// </summary>
public sealed class CaseSensitiveFolderRoutes : MatcherPolicy, IEndpointSelectorPolicy
{
    public override int Order => 0;

    public bool AppliesToEndpoints(IReadOnlyList<Endpoint> endpoints) => endpoints.Any(FolderEndpoints.Is);

    public Task ApplyAsync(HttpContext httpContext, CandidateSet candidates)
    {
        var path = httpContext.Request.Path.Value ?? string.Empty;
        for (var i = 0; i < candidates.Count; i++)
        {
            if (candidates.IsValidCandidate(i) && candidates[i].Endpoint is RouteEndpoint endpoint
                && FolderEndpoints.Is(endpoint) && !LiteralsMatch(endpoint.RoutePattern, path))
            {
                candidates.SetValidity(i, false);
            }
        }

        return Task.CompletedTask;
    }

    private static bool LiteralsMatch(RoutePattern pattern, string path)
    {
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < pattern.PathSegments.Count && i < segments.Length; i++)
        {
            if (pattern.PathSegments[i].Parts is [RoutePatternLiteralPart literal]
                && !string.Equals(literal.Content, segments[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }
}
