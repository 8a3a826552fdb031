namespace Palisade.Server.Tests;

/// <summary>The kubectl contract with the server on its embedded SQLite store (the default).</summary>
public sealed class SqliteKubectlTests(ServerFixture fixture) : KubectlContract(fixture), IClassFixture<ServerFixture>;
