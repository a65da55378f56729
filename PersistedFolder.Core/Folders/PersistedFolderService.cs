namespace PersistedFolder.Core.Folders;

/// <summary>The persisted-folder operations of SPEC §5, identical on every surface.</summary>
public interface IPersistedFolderService
{
    Task<IReadOnlyList<Folder>> ListAsync(FolderScope scope, CancellationToken cancellationToken);

    /// <summary>Validates and upserts; throws <see cref="FolderValidationException"/> on bad input.</summary>
    Task<Folder> CreateAsync(FolderScope scope, FolderInput input, CancellationToken cancellationToken);

    Task<Folder?> GetAsync(FolderScope scope, Guid id, CancellationToken cancellationToken);

    /// <summary>PUT: <c>type</c> required, omitted fields keep their values.</summary>
    /// <exception cref="FolderPreconditionFailedException">The folder exists but <paramref name="precondition"/> does not hold.</exception>
    Task<Folder?> ReplaceAsync(FolderScope scope, Guid id, FolderInput input, FolderPrecondition precondition, CancellationToken cancellationToken);

    /// <summary>PATCH: every field optional.</summary>
    /// <exception cref="FolderPreconditionFailedException">The folder exists but <paramref name="precondition"/> does not hold.</exception>
    Task<Folder?> UpdateAsync(FolderScope scope, Guid id, FolderInput input, FolderPrecondition precondition, CancellationToken cancellationToken);

    /// <exception cref="FolderPreconditionFailedException">The folder exists but <paramref name="precondition"/> does not hold.</exception>
    Task<bool> DeleteAsync(FolderScope scope, Guid id, FolderPrecondition precondition, CancellationToken cancellationToken);
}

public sealed class PersistedFolderService(IPersistedFolderRepository repository) : IPersistedFolderService
{
    public Task<IReadOnlyList<Folder>> ListAsync(FolderScope scope, CancellationToken cancellationToken) =>
        repository.ListAsync(scope, cancellationToken);

    public Task<Folder> CreateAsync(FolderScope scope, FolderInput input, CancellationToken cancellationToken)
    {
        var changes = FolderValidator.ForCreate(input);
        return repository.UpsertAsync(scope, changes.Type!, changes.Protocol!, changes.Path!, cancellationToken);
    }

    public Task<Folder?> GetAsync(FolderScope scope, Guid id, CancellationToken cancellationToken) =>
        repository.GetAsync(scope, id, cancellationToken);

    public Task<Folder?> ReplaceAsync(FolderScope scope, Guid id, FolderInput input, FolderPrecondition precondition, CancellationToken cancellationToken) =>
        ChangeAsync(scope, id, input, FolderValidator.ForReplace, precondition, cancellationToken);

    public Task<Folder?> UpdateAsync(FolderScope scope, Guid id, FolderInput input, FolderPrecondition precondition, CancellationToken cancellationToken) =>
        ChangeAsync(scope, id, input, FolderValidator.ForUpdate, precondition, cancellationToken);

    public async Task<bool> DeleteAsync(FolderScope scope, Guid id, FolderPrecondition precondition, CancellationToken cancellationToken)
    {
        if (await repository.DeleteAsync(scope, id, precondition, cancellationToken))
        {
            return true;
        }

        await ThrowIfChangedAsync(scope, id, precondition, cancellationToken);
        return false;
    }

    private async Task<Folder?> ChangeAsync(
        FolderScope scope,
        Guid id,
        FolderInput input,
        Func<FolderInput, FolderChanges> validate,
        FolderPrecondition precondition,
        CancellationToken cancellationToken)
    {
        FolderChanges changes;
        try
        {
            changes = validate(input);
        }
        catch (FolderValidationException)
        {
            // An unknown folder is a 404 whatever the body says (PostHog looks the object up
            // first); the lookup costs a query only on this error path.
            if (await repository.GetAsync(scope, id, cancellationToken) is null)
            {
                return null;
            }

            throw;
        }

        var folder = await repository.UpdateAsync(scope, id, changes, precondition, cancellationToken);
        if (folder is null)
        {
            await ThrowIfChangedAsync(scope, id, precondition, cancellationToken);
        }

        return folder;
    }

    /// <summary>
    /// A conditional write that touched no row: the folder is gone (404) or it changed (412). The
    /// lookup runs only on that path; the condition itself was checked inside the write's statement.
    /// </summary>
    private async Task ThrowIfChangedAsync(FolderScope scope, Guid id, FolderPrecondition precondition, CancellationToken cancellationToken)
    {
        if (!precondition.IsUnconditional && await repository.GetAsync(scope, id, cancellationToken) is not null)
        {
            throw new FolderPreconditionFailedException();
        }
    }
}
