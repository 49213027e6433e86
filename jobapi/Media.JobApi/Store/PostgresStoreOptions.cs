using System.ComponentModel.DataAnnotations;

namespace Media.JobApi.Store;

public sealed class PostgresStoreOptions
{
    public const string Section = "Media:Postgres";

    /// <summary>Npgsql connection string, e.g. "Host=db;Database=media;Username=media;Password=…".</summary>
    [Required]
    public string ConnectionString { get; set; } = string.Empty;
}
