using Media.Protos.V1;

namespace Media.JobApi.Store;

/// <summary>A job's scheduled hand-off to a publisher; the due query reads PublishAt and State, the rest is in Publication.</summary>
public sealed record PublicationRecord(string JobId, string Tenant, Publication Publication)
{
    public DateTimeOffset PublishAt => Publication.PublishAt.ToDateTimeOffset();

    public PublicationState State => Publication.State;
}
