using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace PersistedFolder.Api.Binding;

/// <summary>
/// MVC reads form bodies on its own to build form value providers. The folder endpoints read
/// their body once, within their own size limit, through <see cref="RequestBodyReader"/>, so the
/// form value providers are removed for them.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class ParsesOwnBodyAttribute : Attribute, IResourceFilter
{
    public void OnResourceExecuting(ResourceExecutingContext context)
    {
        context.ValueProviderFactories.RemoveType<FormValueProviderFactory>();
        context.ValueProviderFactories.RemoveType<JQueryFormValueProviderFactory>();
        context.ValueProviderFactories.RemoveType<FormFileValueProviderFactory>();
    }

    public void OnResourceExecuted(ResourceExecutedContext context)
    {
    }
}
