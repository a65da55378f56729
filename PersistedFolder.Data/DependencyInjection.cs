using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;
using PersistedFolder.Core.Access;
using PersistedFolder.Core.Admin;
using PersistedFolder.Core.Folders;
using PersistedFolder.Core.Keys;
using PersistedFolder.Data.Folders;
using PersistedFolder.Data.Identity;

namespace PersistedFolder.Data;

public static class DependencyInjection
{
    /// <summary>PostgreSQL storage: one <see cref="NpgsqlDataSource"/>, the Dapper repositories and the migrator.</summary>
    public static IServiceCollection AddPersistedFolderData(this IServiceCollection services, IConfiguration configuration)
    {
        // Once, before the first query: snake_case columns map to PascalCase properties.
        Dapper.DefaultTypeMap.MatchNamesWithUnderscores = true;

        var options = new PersistedFolderDataOptions
        {
            ConnectionString = configuration.GetConnectionString(PersistedFolderDataOptions.ConnectionStringName) ?? string.Empty,
            Schema = configuration["PersistedFolder:Schema"] ?? PersistedFolderDataOptions.DefaultSchema,
        };
        configuration.GetSection("PersistedFolder:Database").Bind(options);
        options.Validate();
        services.AddSingleton(options);
        services.AddSingleton(_ => new NpgsqlDataSourceBuilder(options.BuildConnectionString()).Build());
        services.AddSingleton<DatabaseConnections>();
        services.AddSingleton<Migrator>();
        services.AddAutoMapper(cfg => cfg.AddProfile<FolderRowProfile>());
        services.AddSingleton<IPersistedFolderRepository, FolderRepository>();
        // TryAdd: a host application may bring its own projects and memberships, registered before or after.
        services.TryAddSingleton<IProjectAccessSource, ProjectAccessSource>();
        services.AddSingleton<IPersonalApiKeyStore, PersonalApiKeyStore>();
        services.AddSingleton<IIdentityRepository, IdentityRepository>();
        return services;
    }
}
