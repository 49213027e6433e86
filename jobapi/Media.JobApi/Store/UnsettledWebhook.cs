namespace Media.JobApi.Store;

/// <summary>A finished job's webhook nobody is delivering: its delivery record, if one was ever written.</summary>
public sealed record UnsettledWebhook(string JobId, string Tenant, string Url, StoredDocument? Delivery);
