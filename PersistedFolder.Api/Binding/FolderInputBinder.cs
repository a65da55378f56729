using Microsoft.AspNetCore.Mvc.ModelBinding;
using PersistedFolder.Api.Errors;
using PersistedFolder.Core.Folders;

namespace PersistedFolder.Api.Binding;

/// <summary>
/// Binds a <see cref="FolderInput"/> from the body (JSON, form or multipart). A body that cannot
/// be read becomes a model error carrying its <see cref="ApiProblem"/>, which the
/// <c>[ApiController]</c> invalid-model hook answers with.
/// </summary>
public sealed class FolderInputBinder(RequestBodyReader reader) : IModelBinder
{
    public async Task BindModelAsync(ModelBindingContext bindingContext)
    {
        var body = await reader.ReadAsync(bindingContext.HttpContext);
        if (body.Problem is { } problem)
        {
            bindingContext.ModelState.AddModelError(bindingContext.ModelName, new ApiProblemException(problem), bindingContext.ModelMetadata);
            bindingContext.Result = ModelBindingResult.Failed();
            return;
        }

        bindingContext.Result = ModelBindingResult.Success(new FolderInput(body["type"], body["protocol"], body["path"]));
    }
}
