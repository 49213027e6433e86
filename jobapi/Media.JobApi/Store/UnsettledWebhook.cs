namespace Media.JobApi.Store;

/// <summary>
/// A webhook delivery nobody is making: the job's job.finished delivery, or its publication's job.publish_requested one
/// (record name "{job}/publish"), with the delivery record if one was ever written.
/// </summary>
public sealed record UnsettledWebhook(string JobId, string Tenant, string Url, StoredDocument? Delivery, bool Publication = false)
{
    public string RecordName => Publication ? JobId + "/publish" : JobId;
}
