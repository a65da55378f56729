using System.Globalization;
using System.Text.Json;
using Npgsql;
using PersistedFolder.Core;
using PersistedFolder.Core.Admin;
using PersistedFolder.Data;

namespace PersistedFolder.Api.Admin;

/// <summary>
/// <c>admin &lt;command&gt; [--option value]...</c> (SPEC §10): applies migrations, runs one command,
/// prints one JSON object and exits 0; bad input prints a message on stderr, exits non-zero and
/// changes nothing.
/// </summary>
public static class AdminCommandLine
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private static readonly Dictionary<string, (string[] Required, string[] Optional)> Commands = new()
    {
        ["create-organization"] = (["name"], []),
        ["create-project"] = (["organization", "name"], []),
        ["create-user"] = (["email"], ["organization", "level"]),
        ["add-member"] = (["email", "organization"], ["level"]),
        ["set-current-project"] = (["email", "project"], []),
        ["deactivate-user"] = (["email"], []),
        ["create-personal-api-key"] = (["email", "label", "scopes"], ["scoped-teams", "scoped-organizations"]),
        ["revoke-personal-api-key"] = (["id"], []),
    };

    /// <summary>The service's own admin commands, configured from its <c>appsettings.json</c> and environment.</summary>
    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr) =>
        RunAsync(args, configuration: null, stdout, stderr);

    /// <summary>
    /// The admin commands from a host application's own executable, with the host's configuration
    /// (its connection string and <c>PersistedFolder</c> settings):
    /// <c>if (args is ["admin", .. var rest]) return await AdminCommandLine.RunAsync(rest, builder.Configuration, Console.Out, Console.Error);</c>
    /// </summary>
    public static async Task<int> RunAsync(string[] args, IConfiguration? configuration, TextWriter stdout, TextWriter stderr)
    {
        try
        {
            var (command, options) = Parse(args);
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
            {
                Args = [],
                ContentRootPath = AppContext.BaseDirectory,
                // A host's configuration replaces the service's own sources.
                DisableDefaults = configuration is not null,
            });
            builder.Logging.ClearProviders();
            if (configuration is not null)
            {
                builder.Configuration.AddConfiguration(configuration);
            }

            // Not on a request path: wait for a busy database rather than fail fast as the service does.
            builder.Configuration["PersistedFolder:Database:ConnectTimeoutSeconds"] ??= "30";
            builder.Configuration["PersistedFolder:Database:CommandTimeoutSeconds"] ??= "120";
            builder.Services.AddPersistedFolderCore().AddPersistedFolderData(builder.Configuration);
            using var host = builder.Build();
            await host.Services.GetRequiredService<Migrator>().MigrateAsync(CancellationToken.None);
            var result = await ExecuteAsync(host.Services.GetRequiredService<IdentityAdmin>(), command, options);
            await stdout.WriteLineAsync(JsonSerializer.Serialize(result, result.GetType(), Json));
            return 0;
        }
        catch (Exception exception) when (exception is AdminCommandException or InvalidOperationException or NpgsqlException)
        {
            await stderr.WriteLineAsync($"admin: {exception.Message}");
            return exception is AdminCommandException ? 2 : 1;
        }
    }

    private static (string Command, Dictionary<string, string> Options) Parse(string[] args)
    {
        var usage = "usage: admin <command> [--option value]...; commands: " + string.Join(", ", Commands.Keys);
        if (args.Length == 0 || !Commands.TryGetValue(args[0], out var shape))
        {
            throw new AdminCommandException(args.Length == 0 ? usage : $"unknown command '{args[0]}'. {usage}");
        }

        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 1; i < args.Length; i += 2)
        {
            var name = args[i].StartsWith("--", StringComparison.Ordinal) ? args[i][2..] : null;
            if (name is null || !(shape.Required.Contains(name) || shape.Optional.Contains(name)))
            {
                throw new AdminCommandException($"{args[0]}: unexpected argument '{args[i]}'.");
            }

            if (i + 1 >= args.Length)
            {
                throw new AdminCommandException($"{args[0]}: --{name} needs a value.");
            }

            if (!options.TryAdd(name, args[i + 1]))
            {
                throw new AdminCommandException($"{args[0]}: --{name} given twice.");
            }
        }

        foreach (var required in shape.Required.Where(r => !options.ContainsKey(r)))
        {
            throw new AdminCommandException($"{args[0]}: --{required} is required.");
        }

        return (args[0], options);
    }

    private static async Task<object> ExecuteAsync(IdentityAdmin admin, string command, Dictionary<string, string> options)
    {
        var none = CancellationToken.None;
        string? Optional(string name) => options.GetValueOrDefault(name);
        return command switch
        {
            "create-organization" => await admin.CreateOrganizationAsync(options["name"], none),
            "create-project" => await admin.CreateProjectAsync(ParseGuid(options["organization"], "organization"), options["name"], none),
            "create-user" => await admin.CreateUserAsync(
                options["email"], Optional("organization") is { } org ? ParseGuid(org, "organization") : null, RequireLevelWithOrganization(options), none),
            "add-member" => await admin.AddMemberAsync(options["email"], ParseGuid(options["organization"], "organization"), Optional("level"), none),
            "set-current-project" => await admin.SetCurrentProjectAsync(options["email"], ParseLong(options["project"], "project"), none),
            "deactivate-user" => await admin.DeactivateUserAsync(options["email"], none),
            "create-personal-api-key" => await admin.CreateApiKeyAsync(
                options["email"],
                options["label"],
                SplitList(options["scopes"]),
                Optional("scoped-teams") is { } teams ? [.. SplitList(teams).Select(t => ParseLong(t, "scoped-teams"))] : null,
                Optional("scoped-organizations") is { } orgs ? [.. SplitList(orgs).Select(o => ParseGuid(o, "scoped-organizations"))] : null,
                none),
            "revoke-personal-api-key" => await admin.RevokeApiKeyAsync(ParseGuid(options["id"], "id"), none),
            _ => throw new AdminCommandException($"unknown command '{command}'."),
        };
    }

    private static string? RequireLevelWithOrganization(Dictionary<string, string> options) =>
        options.TryGetValue("level", out var level) && !options.ContainsKey("organization")
            ? throw new AdminCommandException("create-user: --level needs --organization.")
            : level;

    private static List<string> SplitList(string value) =>
        [.. value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)];

    private static Guid ParseGuid(string value, string option) =>
        Guid.TryParse(value, out var id) ? id : throw new AdminCommandException($"--{option} '{value}' is not a UUID.");

    private static long ParseLong(string value, string option) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? id
            : throw new AdminCommandException($"--{option} '{value}' is not a positive integer.");
}
