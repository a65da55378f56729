using System.Text.Json;

namespace PersistedFolder.Api.Json;

/// <summary>The serializer settings every response uses.</summary>
public static class ApiJson
{
    /// <summary>snake_case, compact, and non-ASCII text written as itself (as PostHog's renderer does),
    /// not as <c>\uXXXX</c> escapes.</summary>
    public static ApiJsonContext Context { get; } = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = MinimalJsonEncoder.Instance,
    });

    public static void Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.Encoder = Context.Options.Encoder;
        options.TypeInfoResolverChain.Insert(0, Context);
    }
}
