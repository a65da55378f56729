using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using PersistedFolder.Api;
using PersistedFolder.Api.Logging;

namespace PersistedFolder.Tests.Unit.Api;

/// <summary>
/// The standalone service's console logger: ASP.NET Core's console text, written in batches, with the
/// console logger's options (formatter, stderr threshold, queue length and full mode) and nothing
/// lost when the host stops.
/// </summary>
[NonParallelizable]
public sealed class BatchingConsoleLoggerProviderTests
{
    private static readonly Action<ILogger, string, int, Exception?> Served =
        LoggerMessage.Define<string, int>(LogLevel.Information, new EventId(7, "Served"), "served {Path} {Status}");

    [Test]
    public void A_line_is_the_text_of_the_console_logger_with_the_same_settings()
    {
        // The console logger under the same configuration, writing to a captured Console.Out.
        var expected = CaptureConsole(() =>
        {
            using var console = Services(services => services.AddLogging(logging => Configure(logging)));
            Served(console.GetRequiredService<ILoggerFactory>().CreateLogger("Sample.Category"), "/a", 200, null);
        });

        using var ours = Services(services => services.AddLogging(logging => Configure(logging)));
        var output = new StringWriter();
        using (var provider = Provider(ours, output))
        {
            Served(provider.CreateLogger("Sample.Category"), "/a", 200, null);
        }

        Assert.That(output.ToString(), Is.EqualTo(expected).And.EqualTo("info: Sample.Category[7] served /a 200" + Environment.NewLine));
    }

    [Test]
    public void Entries_of_the_same_moment_are_written_together_in_order()
    {
        using var services = Services(services => services.AddLogging(logging => Configure(logging)));
        var output = new FlushCountingWriter();
        using (var provider = Provider(services, output))
        {
            var logger = provider.CreateLogger("Sample");
            for (var n = 0; n < 1000; n++)
            {
                Served(logger, $"/{n}", 200, null);
            }
        }

        var lines = output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines.Select(line => line[(line.IndexOf("served /", StringComparison.Ordinal) + 8)..].Split(' ')[0]), Is.EqualTo(Enumerable.Range(0, 1000).Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        Assert.That(output.Flushes, Is.LessThan(20), "one write per entry is what the batching avoids");
    }

    [Test]
    public void Stopping_writes_what_is_waiting_and_later_entries_are_written_at_once()
    {
        using var services = Services(services => services.AddLogging(logging => Configure(logging)));
        var output = new StringWriter();
        var provider = Provider(services, output);
        var logger = provider.CreateLogger("Sample");
        Served(logger, "/before", 200, null);
        provider.Dispose();
        var atStop = output.ToString();
        Served(logger, "/after", 200, null);

        Assert.That(atStop, Does.Contain("served /before 200"));
        Assert.That(output.ToString(), Does.Contain("served /after 200"));
    }

    [Test]
    public void Entries_at_the_standard_error_threshold_go_to_stderr()
    {
        using var services = Services(services => services.AddLogging(logging => Configure(logging, console => console.LogToStandardErrorThreshold = LogLevel.Error)));
        var (output, error) = (new StringWriter(), new StringWriter());
        using (var provider = Provider(services, output, error))
        {
            var logger = provider.CreateLogger("Sample");
            logger.LogInformation("to stdout");
            logger.LogError(new InvalidOperationException("boom"), "to stderr");
        }

        Assert.That(output.ToString(), Does.Contain("to stdout").And.Not.Contain("to stderr"));
        Assert.That(error.ToString(), Does.Contain("fail: Sample[0] to stderr System.InvalidOperationException: boom").And.Not.Contain("to stdout"));
    }

    [Test]
    public void Through_the_service_registration_scopes_reach_the_line_and_nothing_is_written_twice()
    {
        var output = CaptureConsole(() =>
        {
            using var services = Services(services => services.AddLogging(logging => Configure(logging, includeScopes: true).AddPersistedFolderServiceLogging()));
            var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Sample");
            using (logger.BeginScope("request {RequestId}", "r-42"))
            {
                logger.LogInformation("inside");
            }
        });

        Assert.That(output, Is.EqualTo("info: Sample[0] => request r-42 inside" + Environment.NewLine));
    }

    [Test]
    public void A_full_queue_drops_new_entries_when_configured_to()
    {
        using var services = Services(services => services.AddLogging(logging => Configure(logging, console =>
        {
            console.MaxQueueLength = 3;
            console.QueueFullMode = ConsoleLoggerQueueFullMode.DropWrite;
        })));
        var output = new BlockingWriter();
        using (var provider = Provider(services, output))
        {
            var logging = LogFiveWhileTheWriterIsBlocked(provider, output);
            var returned = logging.Wait(TimeSpan.FromSeconds(10));
            output.Release.Set();
            Assert.That(returned, "logging never waits for room");
        }

        Assert.That(output.ToString(), Does.Contain("/first").And.Contain("/queued0").And.Contain("/queued2").And.Not.Contain("/queued3").And.Not.Contain("/queued4"));
    }

    [Test]
    public void A_full_queue_holds_the_logging_thread_by_default_and_loses_nothing()
    {
        using var services = Services(services => services.AddLogging(logging => Configure(logging, console => console.MaxQueueLength = 3)));
        var output = new BlockingWriter();
        using (var provider = Provider(services, output))
        {
            var logging = LogFiveWhileTheWriterIsBlocked(provider, output);
            Assert.That(logging.Wait(TimeSpan.FromMilliseconds(300)), Is.False, "the fourth entry waits for room");
            output.Release.Set();
            Assert.That(logging.Wait(TimeSpan.FromSeconds(10)), "room was made");
        }

        Assert.That(Enumerable.Range(0, 5).Select(n => $"/queued{n}"), Is.All.Matches<string>(path => output.ToString().Contains(path, StringComparison.Ordinal)));
    }

    [Test]
    public void The_service_puts_it_in_the_console_loggers_place_and_console_filters_apply()
    {
        var output = CaptureConsole(() =>
        {
            var builder = WebApplication.CreateBuilder();
            builder.Configuration["Logging:Console:LogLevel:Sample"] = "Warning";
            builder.Configuration["Logging:Console:FormatterOptions:SingleLine"] = "true";
            builder.Logging.AddPersistedFolderServiceLogging();
            using var app = builder.Build();
            Assert.That(app.Services.GetServices<ILoggerProvider>().Select(p => p.GetType()), Does.Contain(typeof(BatchingConsoleLoggerProvider)).And.Not.Contain(typeof(ConsoleLoggerProvider)));
            var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Sample");
            logger.LogInformation("filtered out by Logging:Console");
            logger.LogWarning("kept");
        });

        Assert.That(output, Does.Contain("warn: Sample[0] kept").And.Not.Contain("filtered out"));
    }

    /// <summary>Logs "/first", waits until the writer is blocked writing it, then logs "/queued0" to
    /// "/queued4" on another thread: with a queue of 3, the last two find it full.</summary>
    private static Task LogFiveWhileTheWriterIsBlocked(BatchingConsoleLoggerProvider provider, BlockingWriter output)
    {
        var logger = provider.CreateLogger("Sample");
        Served(logger, "/first", 200, null);
        Assert.That(output.Entered.Wait(TimeSpan.FromSeconds(10)), "the writer took the first batch");
        return Task.Run(() =>
        {
            for (var n = 0; n < 5; n++)
            {
                Served(logger, $"/queued{n}", 200, null);
            }
        });
    }

    /// <summary>What the providers built inside <paramref name="run"/> wrote to Console.Out.</summary>
    private static string CaptureConsole(Action run)
    {
        var output = new StringWriter();
        var stdout = Console.Out;
        Console.SetOut(output);
        try
        {
            run();
        }
        finally
        {
            Console.SetOut(stdout);
        }

        return output.ToString();
    }

    private static ILoggingBuilder Configure(ILoggingBuilder logging, Action<ConsoleLoggerOptions>? console = null, bool includeScopes = false) =>
        logging.AddConsole(options => console?.Invoke(options)).AddSimpleConsole(options =>
        {
            options.SingleLine = true;
            options.IncludeScopes = includeScopes;
            options.ColorBehavior = LoggerColorBehavior.Disabled;
        });

    private static ServiceProvider Services(Action<IServiceCollection> configure)
    {
        var services = new ServiceCollection();
        configure(services);
        return services.BuildServiceProvider();
    }

    private static BatchingConsoleLoggerProvider Provider(ServiceProvider services, TextWriter output, TextWriter? error = null) =>
        new(services.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>(), services.GetServices<ConsoleFormatter>(), output, error ?? TextWriter.Null);

    private sealed class FlushCountingWriter : StringWriter
    {
        public int Flushes { get; private set; }

        public override void Flush()
        {
            Flushes++;
            base.Flush();
        }
    }

    /// <summary>Output that blocks its first write until released, as a full pipe does.</summary>
    private sealed class BlockingWriter : StringWriter
    {
        public ManualResetEventSlim Entered { get; } = new();

        public ManualResetEventSlim Release { get; } = new();

        public override void Write(ReadOnlySpan<char> buffer)
        {
            Entered.Set();
            Release.Wait();
            lock (this)
            {
                base.Write(buffer);
            }
        }

        public override string ToString()
        {
            lock (this)
            {
                return base.ToString();
            }
        }
    }
}
