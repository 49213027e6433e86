namespace Media.Protos.V1;

/// <summary>The one home of priority names: topics, metrics, the CLI and the dashboard all say "high", "normal", "bulk".</summary>
public static class Priorities
{
    /// <summary>In the order the farm prefers them.</summary>
    public static readonly IReadOnlyList<Priority> All = [Priority.High, Priority.Normal, Priority.Bulk];

    /// <summary>"high", "normal" or "bulk" (unspecified is normal, as a submission without one is).</summary>
    public static string Name(this Priority priority) => priority switch
    {
        Priority.High => "high",
        Priority.Bulk => "bulk",
        _ => "normal",
    };

    /// <summary>A name as <see cref="Name"/> writes it (an empty one is normal); false for anything else.</summary>
    public static bool TryParse(string? name, out Priority priority)
    {
        priority = name switch
        {
            null or "" or "normal" => Priority.Normal,
            "high" => Priority.High,
            "bulk" => Priority.Bulk,
            _ => Priority.Unspecified,
        };
        return priority != Priority.Unspecified;
    }
}
