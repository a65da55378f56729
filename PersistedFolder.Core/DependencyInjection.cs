using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using PersistedFolder.Core.Admin;
using PersistedFolder.Core.Folders;
using PersistedFolder.Core.Keys;

namespace PersistedFolder.Core;

public static class DependencyInjection
{
    /// <summary>The domain services. Storage (<see cref="IPersistedFolderRepository"/> and the
    /// identity interfaces) comes from PersistedFolder.Data or from a host application.</summary>
    public static IServiceCollection AddPersistedFolderCore(this IServiceCollection services)
    {
        services.AddSingleton<IPersistedFolderService, PersistedFolderService>();
        // The API replaces it with its own record of key use.
        services.TryAddSingleton<IKeyUsage, IgnoredKeyUsage>();
        services.AddSingleton<IdentityAdmin>();
        return services;
    }
}

internal sealed class IgnoredKeyUsage : IKeyUsage
{
    public void Record(PersonalApiKey key)
    {
    }
}
