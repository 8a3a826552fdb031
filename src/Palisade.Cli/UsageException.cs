namespace Palisade.Cli;

/// <summary>A mistake in how a command was called; the CLI prints the message and exits with 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
