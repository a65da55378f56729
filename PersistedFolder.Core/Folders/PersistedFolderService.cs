using PersistedFolder.Core.Access;
using PersistedFolder.Core.Keys;

namespace PersistedFolder.Core.Folders;

/// <summary>
/// The persisted-folder operations of SPEC §5, identical on every surface. For a <see cref="KeyCaller"/>
/// each operation is also the access check of SPEC §4, in that order: an unknown key, then an unknown
/// project, then the key's restrictions, scopes and membership, each thrown as a
/// <see cref="FolderAccessDeniedException"/> before anything the request's body or preconditions say.
/// </summary>
public interface IPersistedFolderService
{
    /// <summary>The access check alone (OPTIONS): throws <see cref="FolderAccessDeniedException"/> when denied.</summary>
    Task CheckAccessAsync(FolderScope scope, bool write, CancellationToken cancellationToken);

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

public sealed class PersistedFolderService(IPersistedFolderRepository repository, IKeyUsage usage) : IPersistedFolderService
{
    private const bool Read = false;
    private const bool Write = true;

    public async Task CheckAccessAsync(FolderScope scope, bool write, CancellationToken cancellationToken)
    {
        // A granted caller was checked before its operation was asked for.
        if (scope.Caller is KeyCaller)
        {
            Admit(scope, await repository.CheckAsync(scope, cancellationToken), write);
        }
    }

    public async Task<IReadOnlyList<Folder>> ListAsync(FolderScope scope, CancellationToken cancellationToken) =>
        Admit(scope, await repository.ListAsync(scope, cancellationToken), Read);

    public async Task<Folder> CreateAsync(FolderScope scope, FolderInput input, CancellationToken cancellationToken)
    {
        FolderChanges changes;
        try
        {
            changes = FolderValidator.ForCreate(input);
        }
        catch (FolderValidationException)
        {
            // Access is answered before the body (401/404/403 first); a query only on this error path.
            await CheckAccessAsync(scope, Write, cancellationToken);
            throw;
        }

        var created = Admit(scope, await repository.UpsertAsync(scope, changes.Type!, changes.Protocol!, changes.Path!, cancellationToken), Write);
        return created ?? throw new InvalidOperationException("A granted upsert returned no row.");
    }

    public async Task<Folder?> GetAsync(FolderScope scope, Guid id, CancellationToken cancellationToken) =>
        Admit(scope, await repository.GetAsync(scope, id, cancellationToken), Read);

    public Task<Folder?> ReplaceAsync(FolderScope scope, Guid id, FolderInput input, FolderPrecondition precondition, CancellationToken cancellationToken) =>
        ChangeAsync(scope, id, input, FolderValidator.ForReplace, precondition, cancellationToken);

    public Task<Folder?> UpdateAsync(FolderScope scope, Guid id, FolderInput input, FolderPrecondition precondition, CancellationToken cancellationToken) =>
        ChangeAsync(scope, id, input, FolderValidator.ForUpdate, precondition, cancellationToken);

    public async Task<bool> DeleteAsync(FolderScope scope, Guid id, FolderPrecondition precondition, CancellationToken cancellationToken)
    {
        if (Admit(scope, await repository.DeleteAsync(scope, id, precondition, cancellationToken), Write))
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
            // Access first, then an unknown folder is a 404 whatever the body says (PostHog looks
            // the object up first); the lookup costs a query only on this error path.
            if (Admit(scope, await repository.GetAsync(scope, id, cancellationToken), Write) is null)
            {
                return null;
            }

            throw;
        }

        var folder = Admit(scope, await repository.UpdateAsync(scope, id, changes, precondition, cancellationToken), Write);
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
        if (!precondition.IsUnconditional && await GetAsync(scope, id, cancellationToken) is not null)
        {
            throw new FolderPreconditionFailedException();
        }
    }

    /// <summary>
    /// The result of a <see cref="KeyCaller"/>'s operation once SPEC §4's checks pass on what its
    /// statement found; a <see cref="GrantedCaller"/>'s result as it is. A write's own access
    /// condition must agree with <see cref="AccessRules"/>: a disagreement is a defect, never an answer.
    /// </summary>
    private T Admit<T>(FolderScope scope, Gated<T> result, bool write)
    {
        if (scope.Caller is not KeyCaller)
        {
            return result.Value;
        }

        var facts = result.Facts ?? throw new InvalidOperationException("A key caller's operation reported no facts.");
        if (facts.Key is not { } key)
        {
            throw new FolderAccessDeniedException(FolderDenial.UnknownKey);
        }

        usage.Record(key);
        if (facts.Access is not { } access)
        {
            throw new FolderAccessDeniedException(FolderDenial.ProjectNotFound);
        }

        var denial = AccessRules.Deny(access, KeyGrant.Of(key), AccessRules.FolderScopeObject, write);
        if (facts.WriteAllowed is { } allowed && allowed != (denial is null))
        {
            throw new InvalidOperationException($"The write's access condition ({allowed}) disagrees with the access rules ({denial ?? "granted"}).");
        }

        return denial is null ? result.Value : throw new FolderAccessDeniedException(FolderDenial.Forbidden, denial);
    }
}
