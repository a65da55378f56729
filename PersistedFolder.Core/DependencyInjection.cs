using Microsoft.Extensions.DependencyInjection;
using PersistedFolder.Core.Admin;
using PersistedFolder.Core.Folders;

namespace PersistedFolder.Core;

public static class DependencyInjection
{
    /// <summary>The domain services. Storage (<see cref="IPersistedFolderRepository"/> and the
    /// identity interfaces) comes from PersistedFolder.Data or from a host application.</summary>
    public static IServiceCollection AddPersistedFolderCore(this IServiceCollection services)
    {
        services.AddSingleton<IPersistedFolderService, PersistedFolderService>();
        services.AddSingleton<IdentityAdmin>();
        return services;
    }
}
