using System.Collections.Concurrent;
using System.Reflection;
using Asp.Versioning;
using Microsoft.AspNetCore.Mvc.Controllers;
using PersistedFolder.Api.Errors;

namespace PersistedFolder.Api.Versioning;

/// <summary>
/// SPEC §9 for the folder endpoints only: the version is read from <c>api-version</c> or
/// <c>X-Api-Version</c> (Asp.Versioning's readers and parser), 1.0 is assumed when none is sent,
/// a version the surface controller does not declare with <see cref="ApiVersionAttribute"/> is a
/// 400, and every answer reports <c>api-supported-versions</c>.
/// </summary>
/// <remarks>
/// Asp.Versioning's MVC integration (<c>AddApiVersioning().AddMvc()</c>) would version every
/// controller of the application, so the folder API does not register it: a host's controllers,
/// versioned or not, stay exactly as the host set them up. The folder controllers are
/// <see cref="ApiVersionNeutralAttribute">version-neutral</see> to a host's own Asp.Versioning, and
/// negotiate their version here.
/// </remarks>
public static class FolderApiVersions
{
    public const string QueryParameter = "api-version";
    public const string Header = "X-Api-Version";
    public const string SupportedHeader = "api-supported-versions";

    public static ApiVersion Default { get; } = new(1, 0);

    private static readonly IApiVersionReader Reader = ApiVersionReader.Combine(
        new QueryStringApiVersionReader(QueryParameter), new HeaderApiVersionReader(Header));

    private static readonly ConcurrentDictionary<Type, Declared> ByController = new();

    /// <summary>The versions a surface controller declares, and their header value.</summary>
    public static Declared Of(ControllerActionDescriptor action) => ByController.GetOrAdd(action.ControllerTypeInfo.AsType(), static type =>
    {
        var versions = type.GetCustomAttributes<ApiVersionAttribute>(inherit: false)
            .SelectMany(attribute => attribute.Versions).Distinct().Order().ToArray();
        return new Declared(versions.Length > 0 ? versions : [Default]);
    });

    /// <summary>The 400 to answer when the request asks for a version the controller does not have, else null.</summary>
    public static ApiProblem? Check(HttpRequest request, Declared declared)
    {
        var requested = Reader.Read(request);
        if (requested.Count == 0)
        {
            return null;
        }

        if (requested.Count > 1)
        {
            return ApiProblems.UnsupportedApiVersion(
                $"Different API versions were requested ({string.Join(", ", requested)}). Supported versions: {declared.HeaderValue}.");
        }

        if (!ApiVersionParser.Default.TryParse(requested[0], out var version))
        {
            return ApiProblems.UnsupportedApiVersion($"'{requested[0]}' is not an API version. Supported versions: {declared.HeaderValue}.");
        }

        return declared.Versions.Contains(version)
            ? null
            : ApiProblems.UnsupportedApiVersion(
                $"The requested API version '{requested[0]}' is not supported. Supported versions: {declared.HeaderValue}.");
    }

    public sealed record Declared(IReadOnlyList<ApiVersion> Versions)
    {
        public string HeaderValue { get; } = string.Join(", ", Versions);
    }
}
