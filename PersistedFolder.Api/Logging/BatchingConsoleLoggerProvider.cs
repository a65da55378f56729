using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace PersistedFolder.Api.Logging;

/// <summary>
/// The standalone service's console logger. Each entry is formatted on the thread that logs it, by
/// the console formatter <c>Logging:Console</c> configures (the same text, scopes and trace ids as
/// ASP.NET Core's console logger), and written to stdout with the entries of the same moment: the
/// writer thread waits <see cref="BatchDelay"/> after the first entry of a batch, then writes them
/// all at once. ASP.NET Core's console logger wakes its writer thread for nearly every line, and at
/// thousands of requests a second those wake-ups cost about a tenth of the service's throughput
/// (issue 9, README, Performance).
/// </summary>
/// <remarks>
/// <c>Logging:Console</c>'s <c>FormatterName</c>, <c>FormatterOptions</c>, <c>LogLevel</c>,
/// <c>LogToStandardErrorThreshold</c>, <c>MaxQueueLength</c> and <c>QueueFullMode</c> apply as they do
/// to the console logger (the queue's length counts entries). Entries still waiting are written when
/// the host stops. A host application that embeds the API keeps its own logging: only the service's
/// <c>Program</c> puts this in the console logger's place.
/// </remarks>
[ProviderAlias("Console")]
public sealed class BatchingConsoleLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    /// <summary>How long the writer waits for more entries once one arrives.</summary>
    public static readonly TimeSpan BatchDelay = TimeSpan.FromMilliseconds(50);

    [ThreadStatic]
    private static StringWriter? formatBuffer;

    private readonly ConcurrentDictionary<string, BatchingConsoleLogger> loggers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ConsoleFormatter> formatters;
    private readonly IOptionsMonitor<ConsoleLoggerOptions> options;
    private readonly IDisposable? optionsReload;
    private readonly TextWriter output;
    private readonly TextWriter error;
    private readonly Thread writer;
    private readonly object gate = new();
    private StringBuilder pending = new();
    private StringBuilder writing = new();
    private int pendingEntries;
    private bool completed;
    private IExternalScopeProvider scopes = new LoggerExternalScopeProvider();
    private ConsoleFormatter formatter;

    public BatchingConsoleLoggerProvider(IOptionsMonitor<ConsoleLoggerOptions> options, IEnumerable<ConsoleFormatter> formatters)
        : this(options, formatters, Console.Out, Console.Error)
    {
    }

    internal BatchingConsoleLoggerProvider(
        IOptionsMonitor<ConsoleLoggerOptions> options, IEnumerable<ConsoleFormatter> formatters, TextWriter output, TextWriter error)
    {
        this.options = options;
        this.formatters = formatters.ToDictionary(f => f.Name, StringComparer.OrdinalIgnoreCase);
        this.output = output;
        this.error = error;
        formatter = FormatterFor(options.CurrentValue);
        optionsReload = options.OnChange(changed => formatter = FormatterFor(changed));
        writer = new Thread(WriteBatches) { IsBackground = true, Name = "PersistedFolder console log writer" };
        writer.Start();
    }

    public ILogger CreateLogger(string categoryName) => loggers.GetOrAdd(categoryName, static (name, provider) => new BatchingConsoleLogger(name, provider), this);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => scopes = scopeProvider;

    /// <summary>Writes what is still waiting and stops the writer thread.</summary>
    public void Dispose()
    {
        optionsReload?.Dispose();
        lock (gate)
        {
            completed = true;
            Monitor.PulseAll(gate);
        }

        writer.Join(TimeSpan.FromSeconds(5));
    }

    private ConsoleFormatter FormatterFor(ConsoleLoggerOptions current) =>
        formatters.GetValueOrDefault(current.FormatterName ?? ConsoleFormatterNames.Simple) ?? formatters[ConsoleFormatterNames.Simple];

    private void Write<TState>(string category, LogLevel level, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> format)
    {
        var buffer = formatBuffer ??= new StringWriter();
        var text = buffer.GetStringBuilder();
        try
        {
            formatter.Write(new LogEntry<TState>(level, category, eventId, state, exception, format), scopes, buffer);
            if (text.Length == 0)
            {
                return;
            }

            var current = options.CurrentValue;
            if (level >= current.LogToStandardErrorThreshold)
            {
                // Errors meant for stderr: rare, and written at once.
                lock (error)
                {
                    WriteTo(error, text);
                }
            }
            else
            {
                Enqueue(text, current);
            }
        }
        finally
        {
            // Empty for this thread's next entry, even when formatting threw.
            text.Clear();
            if (text.Capacity > 4096)
            {
                text.Capacity = 4096;
            }
        }
    }

    private void Enqueue(StringBuilder text, ConsoleLoggerOptions current)
    {
        lock (gate)
        {
            while (pendingEntries >= current.MaxQueueLength && !completed)
            {
                if (current.QueueFullMode == ConsoleLoggerQueueFullMode.DropWrite)
                {
                    return;
                }

                Monitor.Wait(gate);
            }

            if (completed)
            {
                // After the host stopped: nobody batches any more.
                WriteTo(output, text);
                return;
            }

            pending.Append(text);
            pendingEntries++;
            if (pendingEntries == 1 || pendingEntries >= current.MaxQueueLength)
            {
                Monitor.PulseAll(gate);
            }
        }
    }

    private void WriteBatches()
    {
        while (true)
        {
            lock (gate)
            {
                while (pendingEntries == 0 && !completed)
                {
                    Monitor.Wait(gate);
                }

                if (pendingEntries == 0)
                {
                    return;
                }

                if (!completed && pendingEntries < options.CurrentValue.MaxQueueLength)
                {
                    // More entries join the batch meanwhile; a full queue or the host stopping ends the wait.
                    Monitor.Wait(gate, BatchDelay);
                }

                (pending, writing) = (writing, pending);
                pendingEntries = 0;
                Monitor.PulseAll(gate);
            }

            WriteTo(output, writing);
            writing.Clear();
        }
    }

    private static void WriteTo(TextWriter target, StringBuilder text)
    {
        try
        {
            foreach (var chunk in text.GetChunks())
            {
                target.Write(chunk.Span);
            }

            target.Flush();
        }
        catch (IOException)
        {
            // stdout closed or full: a log line is never worth failing the service for.
        }
    }

    private sealed class BatchingConsoleLogger(string category, BatchingConsoleLoggerProvider provider) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => provider.scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                provider.Write(category, logLevel, eventId, state, exception, formatter);
            }
        }
    }
}
