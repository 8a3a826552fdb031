using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Palisade.Agent.Tests.Fakes;

/// <summary>Loggers that keep every message with its level, for tests to read.</summary>
internal sealed class ListLoggerFactory : ILoggerFactory
{
    public ConcurrentQueue<(LogLevel Level, string Message)> Messages { get; } = new();

    public ILogger CreateLogger(string categoryName) => new ListLogger(Messages);

    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException("a test's logger factory takes no providers");

    public void Dispose()
    {
    }

    public string Text => string.Join("\n", Messages.Select(m => $"{m.Level}: {m.Message}"));

    private sealed class ListLogger(ConcurrentQueue<(LogLevel, string)> messages) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            messages.Enqueue((logLevel, formatter(state, exception)));
    }
}
