using Microsoft.Extensions.Logging;

namespace Palisade.Agent.Logging;

/// <summary>
/// Loggers that write one line per message to a writer (a terminal's standard error, a test's or a bench's buffer),
/// as <c>PREFIX: message</c>, the way a command-line tool reports. Providers added later receive every message too.
/// </summary>
public sealed class TextWriterLoggerFactory(TextWriter writer, string prefix, LogLevel minimum = LogLevel.Information) : ILoggerFactory
{
    private readonly List<ILoggerProvider> providers = [];

    public ILogger CreateLogger(string categoryName)
    {
        ILogger own = new LineLogger(writer, prefix, minimum);
        lock (providers)
        {
            return providers.Count == 0 ? own : new FanOut([own, .. providers.Select(p => p.CreateLogger(categoryName))]);
        }
    }

    public void AddProvider(ILoggerProvider provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        lock (providers)
        {
            providers.Add(provider);
        }
    }

    public void Dispose()
    {
        lock (providers)
        {
            foreach (var p in providers)
            {
                p.Dispose();
            }

            providers.Clear();
        }
    }

    private sealed class LineLogger(TextWriter writer, string prefix, LogLevel minimum) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var message = formatter(state, exception);
            var line = exception is null || message.Contains(exception.Message, StringComparison.Ordinal) ? $"{prefix}: {message}" : $"{prefix}: {message}: {exception.Message}";
            lock (writer)
            {
                writer.WriteLine(line);
                writer.Flush();
            }
        }
    }

    private sealed class FanOut(IReadOnlyList<ILogger> loggers) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => loggers.Any(l => l.IsEnabled(logLevel));

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            foreach (var l in loggers)
            {
                l.Log(logLevel, eventId, state, exception, formatter);
            }
        }
    }
}
