namespace Palisade.Server.Tests;

/// <summary>The kubectl contract with the server on a real etcd (<c>--store etcd://HOST:PORT</c>).</summary>
public sealed class EtcdKubectlTests(EtcdServerFixture fixture) : KubectlContract(fixture), IClassFixture<EtcdServerFixture>;
