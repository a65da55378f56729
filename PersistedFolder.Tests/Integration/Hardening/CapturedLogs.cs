using System.Collections;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace PersistedFolder.Tests.Integration.Hardening;

/// <summary>One log call as the application made it: everything a sink could write.</summary>
public sealed record CapturedEntry(string Category, LogLevel Level, EventId EventId, string Message, string State, string? Exception, IReadOnlyList<string> Scopes)
{
    /// <summary>Every piece of text of the entry, for searching.</summary>
    public string AllText => string.Join('\n', [Category, EventId.Name ?? string.Empty, Message, State, Exception ?? string.Empty, .. Scopes]);

    public override string ToString() => $"[{Level}] {Category}: {Message}{(Exception is null ? string.Empty : " | " + Exception)}";
}

/// <summary>
/// A logger provider that keeps every entry of every category at every level, with its formatted
/// message, structured state, exception (with inner exceptions and data) and active scopes.
/// <see cref="AddTo"/> installs it in an application at one level for every category; <see cref="AddAtConfiguredLevels"/> at the configured levels.
/// </summary>
public sealed class CapturedLogs : ILoggerProvider, ISupportExternalScope
{
    private readonly ConcurrentQueue<CapturedEntry> entries = new();
    private IExternalScopeProvider scopes = new LoggerExternalScopeProvider();

    public IReadOnlyCollection<CapturedEntry> Entries => entries;

    /// <summary>Forgets the entries so far (e.g. those of a fixture's set-up).</summary>
    public void Clear() => entries.Clear();

    /// <summary>Adds this provider to the services and sets every category's level (configuration's included) to <paramref name="minimum"/>.</summary>
    public void AddTo(IServiceCollection services, LogLevel minimum)
    {
        services.AddSingleton<ILoggerProvider>(this);
        services.PostConfigure<LoggerFilterOptions>(options =>
        {
            options.Rules.Clear();
            options.MinLevel = minimum;
            options.CaptureScopes = true;
        });
    }

    /// <summary>Adds this provider to the services, leaving the levels as the application configures them.</summary>
    public void AddAtConfiguredLevels(IServiceCollection services) => services.AddSingleton<ILoggerProvider>(this);

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => scopes = scopeProvider;

    public void Dispose()
    {
    }

    private static string Describe(object? value)
    {
        if (value is null)
        {
            return string.Empty;
        }

        var text = new StringBuilder(Convert.ToString(value, CultureInfo.InvariantCulture));
        if (value is IEnumerable<KeyValuePair<string, object?>> pairs)
        {
            foreach (var (name, item) in pairs)
            {
                text.Append(' ').Append(name).Append('=').Append(Convert.ToString(item, CultureInfo.InvariantCulture));
            }
        }

        return text.ToString();
    }

    private static string? DescribeException(Exception? exception)
    {
        if (exception is null)
        {
            return null;
        }

        var text = new StringBuilder(exception.ToString());
        for (var current = exception; current is not null; current = current.InnerException)
        {
            foreach (DictionaryEntry item in current.Data)
            {
                text.Append('\n').Append(item.Key).Append('=').Append(item.Value);
            }
        }

        return text.ToString();
    }

    private sealed class CapturingLogger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => owner.scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var active = new List<string>();
            owner.scopes.ForEachScope((scope, list) => list.Add(Describe(scope)), active);
            owner.entries.Enqueue(new CapturedEntry(category, logLevel, eventId, formatter(state, exception), Describe(state), DescribeException(exception), active));
        }
    }
}
