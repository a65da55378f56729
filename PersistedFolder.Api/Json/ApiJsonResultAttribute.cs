using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.Formatters;

namespace PersistedFolder.Api.Json;

/// <summary>Folder responses in the API's JSON (snake_case, PostHog's encoding) whatever the
/// application's MVC JSON settings, so a host's own controllers keep theirs.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class ApiJsonResultAttribute : Attribute, IAlwaysRunResultFilter
{
    private static readonly SystemTextJsonOutputFormatter Formatter = new(ApiJsonOptions());

    public void OnResultExecuting(ResultExecutingContext context)
    {
        if (context.Result is ObjectResult result)
        {
            result.Formatters.Clear();
            result.Formatters.Add(Formatter);
        }
    }

    public void OnResultExecuted(ResultExecutedContext context)
    {
    }

    private static JsonSerializerOptions ApiJsonOptions()
    {
        // MVC's defaults (web), not the host's settings, then the API's.
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web) { TypeInfoResolver = new DefaultJsonTypeInfoResolver() };
        ApiJson.Configure(options);
        return options;
    }
}
