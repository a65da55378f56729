namespace PersistedFolder.Core.Folders;

/// <summary>The persisted-folder operations of SPEC §5, identical on every surface.</summary>
public interface IPersistedFolderService
{
    Task<IReadOnlyList<Folder>> ListAsync(FolderScope scope, CancellationToken cancellationToken);

    /// <summary>Validates and upserts; throws <see cref="FolderValidationException"/> on bad input.</summary>
    Task<Folder> CreateAsync(FolderScope scope, FolderInput input, CancellationToken cancellationToken);

    Task<Folder?> GetAsync(FolderScope scope, Guid id, CancellationToken cancellationToken);

    /// <summary>PUT: <c>type</c> required, omitted fields keep their values.</summary>
    Task<Folder?> ReplaceAsync(FolderScope scope, Guid id, FolderInput input, CancellationToken cancellationToken);

    /// <summary>PATCH: every field optional.</summary>
    Task<Folder?> UpdateAsync(FolderScope scope, Guid id, FolderInput input, CancellationToken cancellationToken);

    Task<bool> DeleteAsync(FolderScope scope, Guid id, CancellationToken cancellationToken);
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

    public Task<Folder?> ReplaceAsync(FolderScope scope, Guid id, FolderInput input, CancellationToken cancellationToken) =>
        ChangeAsync(scope, id, input, FolderValidator.ForReplace, cancellationToken);

    public Task<Folder?> UpdateAsync(FolderScope scope, Guid id, FolderInput input, CancellationToken cancellationToken) =>
        ChangeAsync(scope, id, input, FolderValidator.ForUpdate, cancellationToken);

    public Task<bool> DeleteAsync(FolderScope scope, Guid id, CancellationToken cancellationToken) =>
        repository.DeleteAsync(scope, id, cancellationToken);

    private async Task<Folder?> ChangeAsync(
        FolderScope scope, Guid id, FolderInput input, Func<FolderInput, FolderChanges> validate, CancellationToken cancellationToken)
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

        return await repository.UpdateAsync(scope, id, changes, cancellationToken);
    }
}
