using Google.Protobuf.WellKnownTypes;
using Media.Protos.V1;

namespace Media.JobApi.Publishing;

/// <summary>What a publish_at and its destinations must satisfy, for SubmitJob and SchedulePublish alike.</summary>
public static class PublicationRules
{
    public const int MaxDestinations = 10;
    public const int MaxAccountLength = 200;
    public static readonly IReadOnlyList<string> Platforms = ["tiktok", "youtube", "instagram", "facebook", "x", "linkedin", "snapchat", "pinterest", "other"];
    private static readonly TimeSpan MaxAhead = TimeSpan.FromDays(366);

    // A minute of grace: a client that computes "now" and sends it must not be refused for clock skew.
    private static readonly TimeSpan Grace = TimeSpan.FromMinutes(1);

    public static void Check(Timestamp? publishAt, IReadOnlyList<Destination> destinations, DateTimeOffset now, string prefix, Action<string, string> add)
    {
        if (publishAt is null)
        {
            if (destinations.Count > 0)
            {
                add(prefix + "publish_at", "is required when destinations are given");
            }

            return;
        }

        var at = publishAt.ToDateTimeOffset();
        if (at < now - Grace)
        {
            add(prefix + "publish_at", $"{at:O} is in the past");
        }
        else if (at > now + MaxAhead)
        {
            add(prefix + "publish_at", "must be at most a year ahead");
        }

        if (destinations.Count is 0 or > MaxDestinations)
        {
            add(prefix + "destinations", $"must name 1 to {MaxDestinations} destinations");
        }

        for (var i = 0; i < destinations.Count && i < MaxDestinations; i++)
        {
            if (!Platforms.Contains(destinations[i].Platform))
            {
                add($"{prefix}destinations[{i}].platform", $"must be one of {string.Join(", ", Platforms)}");
            }

            var account = destinations[i].Account;
            if (account.Length is 0 or > MaxAccountLength || account.Any(char.IsControl))
            {
                add($"{prefix}destinations[{i}].account", $"must be 1-{MaxAccountLength} characters without control characters");
            }
        }
    }

    public static Publication Scheduled(Timestamp publishAt, IEnumerable<Destination> destinations) => new()
    {
        PublishAt = publishAt,
        Destinations = { destinations },
        State = PublicationState.Scheduled,
    };
}
