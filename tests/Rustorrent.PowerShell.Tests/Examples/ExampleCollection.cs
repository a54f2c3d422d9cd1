namespace Rustorrent.PowerShell.Tests.Examples;

/// <summary>
/// The help's and the README's example tests share one set of fixtures (a tracker, seeders, a DHT): they
/// are started once, and the two classes run one after the other rather than doubling the load.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ExampleCollection : ICollectionFixture<ExampleFixtures>
{
    public const string Name = "Documentation examples";
}
