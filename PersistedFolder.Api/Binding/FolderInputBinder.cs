using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using PersistedFolder.Api.Errors;
using PersistedFolder.Core.Folders;

namespace PersistedFolder.Api.Binding;

/// <summary>
/// A folder request's body: the fields the domain validates, or why the body could not be read at
/// all (malformed, unsupported, too large). The controller answers that problem only after the
/// folder lookup, so an unknown folder id is a 404 whatever the body.
/// </summary>
[ModelBinder<FolderInputBinder>]
public sealed record FolderBody(FolderInput Input, ApiProblem? Problem = null);

/// <summary>Binds a <see cref="FolderBody"/> from the body (JSON, form or multipart).</summary>
public sealed class FolderInputBinder(RequestBodyReader reader) : IModelBinder
{
    public async Task BindModelAsync(ModelBindingContext bindingContext)
    {
        var body = await reader.ReadAsync(bindingContext.HttpContext);
        bindingContext.Result = ModelBindingResult.Success(body.Problem is { } problem
            ? new FolderBody(FolderInput.Empty, problem)
            : new FolderBody(new FolderInput(body["type"], body["protocol"], body["path"])));
    }
}
