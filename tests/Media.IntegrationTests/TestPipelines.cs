using Media.Pipelines;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Media.IntegrationTests;

/// <summary>The media pipelines as the workers compose them (the repository's fetched models), for tests that analyse directly.</summary>
internal static class TestPipelines
{
    public static ServiceProvider Services() => new ServiceCollection()
        .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Media:Models:Directory"] = Path.Combine(RepositoryPaths.Root(), ".models") }).Build())
        .AddLogging()
        .AddMediaPipelines()
        .BuildServiceProvider();
}
