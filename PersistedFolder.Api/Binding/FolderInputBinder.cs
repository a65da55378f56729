using Microsoft.AspNetCore.Mvc.ModelBinding;
using PersistedFolder.Api.Errors;
using PersistedFolder.Core.Folders;

namespace PersistedFolder.Api.Binding;

/// <summary>
/// Binds a <see cref="FolderInput"/> from the body (JSON, form or multipart). A body that cannot
/// be read binds as <see cref="FolderInput.Unreadable"/>: its problem is raised by validation,
/// after the folder lookup, so an unknown folder id is a 404 whatever the body.
/// </summary>
public sealed class FolderInputBinder(RequestBodyReader reader) : IModelBinder
{
    public async Task BindModelAsync(ModelBindingContext bindingContext)
    {
        var body = await reader.ReadAsync(bindingContext.HttpContext);
        if (body.Problem is { } problem)
        {
            bindingContext.Result = ModelBindingResult.Success(FolderInput.Unreadable(new ApiProblemException(problem)));
            return;
        }

        bindingContext.Result = ModelBindingResult.Success(new FolderInput(body["type"], body["protocol"], body["path"]));
    }
}
