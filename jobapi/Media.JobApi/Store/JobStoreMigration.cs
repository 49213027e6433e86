using Microsoft.Extensions.Hosting;

namespace Media.JobApi.Store;

/// <summary>
/// Brings the database's schema up to date before anything reads it. Hosted services start one after another in the
/// order they were registered, and this one is registered before every other service of the job API, so no sweep,
/// consumer or request ever meets a database without its tables.
/// </summary>
public sealed class JobStoreMigration(JobDatabase database) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => database.MigrateAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
