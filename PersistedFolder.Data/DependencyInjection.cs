using AutoMapper;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
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
    /// <summary>
    /// PostgreSQL storage: the Dapper repositories and the migrator on a <em>keyed</em>
    /// <see cref="NpgsqlDataSource"/> (<see cref="PersistedFolderDataOptions.ServiceKey"/>), so a host
    /// application's own data source, and EF Core's <c>UseNpgsql()</c> that resolves it, stay the host's.
    /// </summary>
    public static IServiceCollection AddPersistedFolderData(this IServiceCollection services, IConfiguration configuration)
    {
        // Once, before the first query: snake_case columns map to PascalCase properties.
        Dapper.DefaultTypeMap.MatchNamesWithUnderscores = true;

        services.AddOptions<PersistedFolderDataOptions>()
            .BindConfiguration(PersistedFolderDataOptions.Section)
            .Configure<IConfiguration>((options, config) =>
            {
                options.ConnectionString = config.GetConnectionString(PersistedFolderDataOptions.ConnectionStringName) ?? string.Empty;
                options.Schema = config[PersistedFolderDataOptions.SchemaKey] ?? PersistedFolderDataOptions.DefaultSchema;
            })
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PersistedFolderDataOptions>, PersistedFolderDataOptions.Validator>());
        services.AddNpgsqlDataSource(
            string.Empty,
            (provider, dataSource) => dataSource.ConnectionStringBuilder.ConnectionString =
                provider.GetRequiredService<IOptions<PersistedFolderDataOptions>>().Value.BuildConnectionString(),
            serviceKey: PersistedFolderDataOptions.ServiceKey);
        services.TryAddSingleton<Migrator>();
        services.TryAddSingleton<DatabaseConnections>();

        // The API's own mapper, keyed: a host's AutoMapper configuration neither sees nor validates our maps.
        services.TryAddKeyedSingleton<IMapper>(PersistedFolderDataOptions.MapperKey, (_, _) =>
            new MapperConfiguration(cfg => cfg.AddProfile<FolderRowProfile>()).CreateMapper());
        services.TryAddSingleton<IPersistedFolderRepository, FolderRepository>();
        // TryAdd: a host application may bring its own projects and memberships, registered before or after.
        services.TryAddSingleton<IProjectAccessSource, ProjectAccessSource>();
        services.TryAddSingleton<IPersonalApiKeyStore, PersonalApiKeyStore>();
        services.TryAddSingleton<IIdentityRepository, IdentityRepository>();
        services.TryAddSingleton<IHostUserDirectory, HostUserDirectory>();
        return services;
    }
}
