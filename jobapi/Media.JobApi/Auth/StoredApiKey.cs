using System.Text.Json;
using System.Text.Json.Serialization;
using Google.Protobuf.WellKnownTypes;
using Media.JobApi.Store;
using Media.Protos.V1;

namespace Media.JobApi.Auth;

/// <summary>An API key as stored: the SHA-256 of its secret, never the secret.</summary>
public sealed record StoredApiKey(string Id, string Tenant, string Label, bool Admin, string SecretHash, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public StoredDocument ToDocument(DateTimeOffset at) => new(Tenant, Id, JsonSerializer.Serialize(this, Json), at);

    public static StoredApiKey FromDocument(StoredDocument document) =>
        JsonSerializer.Deserialize<StoredApiKey>(document.Document, Json) ?? throw new InvalidDataException($"API key {document.Name} is not readable.");

    public ApiKey ToProto()
    {
        var key = new ApiKey
        {
            Id = Id,
            Tenant = Tenant,
            Label = Label,
            Role = Admin ? ApiKeyRole.Admin : ApiKeyRole.Tenant,
            CreatedAt = Timestamp.FromDateTimeOffset(CreatedAt),
        };
        if (RevokedAt is { } revoked)
        {
            key.RevokedAt = Timestamp.FromDateTimeOffset(revoked);
        }

        return key;
    }
}
