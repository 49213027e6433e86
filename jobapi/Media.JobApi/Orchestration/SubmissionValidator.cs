using System.Text.RegularExpressions;
using Media.JobApi.Errors;
using Media.JobApi.Store;
using Media.Pipelines.Patterns;
using Media.Pipelines.Text;
using Media.Pipelines.Thumbnails.Templates;
using Media.Platform.Storage;
using Media.Protos.V1;

namespace Media.JobApi.Orchestration;

/// <summary>
/// Checks a SubmitJob request and resolves what it names (pattern, source). Every problem is collected
/// and reported at once with its field path; nothing is half-accepted.
/// </summary>
public sealed partial class SubmissionValidator(PatternLibrary patterns, TenantDocumentStores documents, IUploadStore uploads, IBlobStore blobs, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public const int MaxParameters = 50;
    public const int MaxParameterValueLength = 2000;
    public const int MaxLabels = 20;
    public const int MaxLabelValueLength = 128;
    public const int MaxIdempotencyKeyLength = 128;

    // PostgreSQL text cannot hold NUL; refusing it everywhere keeps both stores answering alike.
    private const string NulReason = "must not contain NUL characters";

    public async Task<ValidSubmission> ValidateAsync(SubmitJobRequest request, string tenant, string fieldPrefix, CancellationToken cancellationToken)
    {
        var violations = new List<FieldViolation>();
        void Add(string field, string reason) => violations.Add(new FieldViolation(fieldPrefix + field, reason));

        if (request.IdempotencyKey.Length > MaxIdempotencyKeyLength)
        {
            Add("idempotency_key", $"must be at most {MaxIdempotencyKeyLength} characters");
        }
        else if (request.IdempotencyKey.Contains('\0', StringComparison.Ordinal))
        {
            Add("idempotency_key", NulReason);
        }

        Pattern? pattern = null;
        IReadOnlyDictionary<string, ThumbnailTemplate>? own = null;
        switch (request.PatternCase)
        {
            case SubmitJobRequest.PatternOneofCase.PatternName:
                pattern = patterns.Find(request.PatternName);
                if (pattern is null)
                {
                    var ownPatterns = await documents.Patterns.ListAsync(tenant, cancellationToken);
                    if (ownPatterns.FirstOrDefault(p => p.Name == request.PatternName) is { } stored)
                    {
                        own = await OwnTemplatesAsync(tenant, cancellationToken);
                        var reparsed = PatternParser.Parse(stored.Document, own);
                        pattern = reparsed.Pattern;
                        if (pattern is null)
                        {
                            // Valid when stored; a template it names may have been deleted since.
                            Add("pattern_name", $"your pattern '{stored.Name}' no longer validates: {string.Join("; ", reparsed.Violations.Take(5))}");
                        }
                    }
                    else
                    {
                        Add("pattern_name", $"unknown pattern '{Truncate(request.PatternName)}'; built-in: {string.Join(", ", patterns.All.Select(p => p.Name).Order(StringComparer.Ordinal))}; yours: {(ownPatterns.Count == 0 ? "none" : string.Join(", ", ownPatterns.Select(p => p.Name)))}");
                    }
                }

                break;
            case SubmitJobRequest.PatternOneofCase.InlinePattern:
                own = await OwnTemplatesAsync(tenant, cancellationToken);
                var parsed = PatternParser.Parse(request.InlinePattern, own);
                if (parsed.IsValid)
                {
                    pattern = parsed.Pattern;
                }
                else
                {
                    foreach (var violation in parsed.Violations)
                    {
                        Add($"inline_pattern.{violation.Path}", violation.Reason);
                    }
                }

                break;
            default:
                Add("pattern", "set pattern_name or inline_pattern");
                break;
        }

        if (pattern is not null)
        {
            foreach (var wanted in request.Outputs)
            {
                if (pattern.Outputs.All(o => o.Name != wanted))
                {
                    Add("outputs", $"pattern '{pattern.Name}' has no output '{Truncate(wanted)}'; it has: {string.Join(", ", pattern.Outputs.Select(o => o.Name))}");
                }
            }
        }

        if (request.Parameters.Count > MaxParameters)
        {
            Add("parameters", $"has {request.Parameters.Count} entries; the limit is {MaxParameters}");
        }

        foreach (var (key, value) in request.Parameters)
        {
            if (!KeyRegex().IsMatch(key))
            {
                Add($"parameters[{Truncate(key)}]", "keys must be 1-64 characters of letters, digits, '_', '.' or '-'");
            }
            else if (value.Length > MaxParameterValueLength)
            {
                Add($"parameters[{key}]", $"is {value.Length} characters; the limit is {MaxParameterValueLength}");
            }
            else if (value.Contains('\0', StringComparison.Ordinal))
            {
                Add($"parameters[{key}]", NulReason);
            }
        }

        if (request.Labels.Count > MaxLabels)
        {
            Add("labels", $"has {request.Labels.Count} entries; the limit is {MaxLabels}");
        }

        foreach (var (key, value) in request.Labels)
        {
            if (!KeyRegex().IsMatch(key))
            {
                Add($"labels[{Truncate(key)}]", "keys must be 1-64 characters of letters, digits, '_', '.' or '-'");
            }
            else if (value.Length > MaxLabelValueLength)
            {
                Add($"labels[{key}]", $"is {value.Length} characters; the limit is {MaxLabelValueLength}");
            }
            else if (value.Contains('\0', StringComparison.Ordinal))
            {
                Add($"labels[{key}]", NulReason);
            }
        }

        if (request.WebhookUrl.Length > 0
            && (!Uri.TryCreate(request.WebhookUrl, UriKind.Absolute, out var webhook) || webhook.Scheme is not ("http" or "https") || request.WebhookUrl.Length > 2000))
        {
            Add("webhook_url", "must be an absolute http(s) URL of at most 2000 characters");
        }

        if (!Enum.IsDefined(request.Priority))
        {
            Add("priority", "is not a known priority");
        }

        Publishing.PublicationRules.Check(request.PublishAt, request.Destinations, _time.GetUtcNow(), string.Empty, Add);

        var (sourceKey, sourceIdentity) = await ResolveSourceAsync(request.Source, tenant, Add, cancellationToken);
        if (pattern is not null)
        {
            await CheckStoredMediaAsync(pattern.Steps.Logo?.Source, "logo", request, tenant, Add, cancellationToken);
            await CheckStoredMediaAsync(pattern.Steps.Music?.Source, "music", request, tenant, Add, cancellationToken);
            await CheckStoredMediaAsync(pattern.Steps.Intro, "intro", request, tenant, Add, cancellationToken);
            await CheckStoredMediaAsync(pattern.Steps.Outro, "outro", request, tenant, Add, cancellationToken);
        }

        if (violations.Count > 0)
        {
            throw new RequestValidationException(violations);
        }

        // Freeze the tenant templates the pattern uses: later edits must not change a queued job.
        var used = (pattern!.Thumbnail?.Templates ?? [])
            .Where(t => own is not null && own.TryGetValue(t.Name, out var stored) && ReferenceEquals(stored, t))
            .ToDictionary(t => t.Name, t => t.Document, StringComparer.Ordinal);
        return new ValidSubmission(pattern, sourceKey!, sourceIdentity!, used);
    }

    /// <summary>The tenant's stored templates, parsed (they were validated when stored).</summary>
    public async Task<IReadOnlyDictionary<string, ThumbnailTemplate>> OwnTemplatesAsync(string tenant, CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, ThumbnailTemplate>(StringComparer.Ordinal);
        foreach (var stored in await documents.Templates.ListAsync(tenant, cancellationToken))
        {
            if (ThumbnailTemplateParser.Parse(stored.Document).Template is { } template)
            {
                result[template.Name] = template;
            }
        }

        return result;
    }

    private async Task<(string? Key, string? Identity)> ResolveSourceAsync(Source? source, string tenant, Action<string, string> add, CancellationToken cancellationToken)
    {
        switch (source?.KindCase)
        {
            case Source.KindOneofCase.UploadId:
                if (string.IsNullOrWhiteSpace(source.UploadId))
                {
                    add("source.upload_id", "must not be empty");
                    return (null, null);
                }

                var upload = await uploads.GetUploadAsync(tenant, source.UploadId, cancellationToken);
                if (upload is null)
                {
                    add("source.upload_id", $"no upload '{Truncate(source.UploadId)}' exists");
                    return (null, null);
                }

                return (upload.Key, "sha256:" + upload.Sha256);
            case Source.KindOneofCase.Uri:
                if (!StoredMediaReference.TryParse(source.Uri, out var key) || key is null)
                {
                    add("source.uri", "must be 'blob:<key>' naming an object in the farm's storage");
                    return (null, null);
                }

                if (!BlobKey.IsValid(key, out var reason))
                {
                    add("source.uri", $"the key {reason}");
                    return (null, null);
                }

                // Another tenant's object reads exactly like a missing one: no existence leak.
                if (!TenantKeys.Owns(tenant, key) || await blobs.GetInfoAsync(key, cancellationToken) is not { } info)
                {
                    add("source.uri", $"no object is stored under '{key}'");
                    return (null, null);
                }

                return (key, "sha256:" + info.Sha256);
            default:
                add("source", "is required: set upload_id or uri");
                return (null, null);
        }
    }

    // A logo or music file named by a merge field must exist before the job is accepted, not fail it later.
    private async Task CheckStoredMediaAsync(string? template, string what, SubmitJobRequest request, string tenant, Action<string, string> add, CancellationToken cancellationToken)
    {
        if (template is null)
        {
            return;
        }

        var names = MergeFields.Names(template);
        var field = names.Count == 1 ? $"parameters[{names[0]}]" : $"pattern.steps.{what}.source";
        if (!StoredMediaReference.TryParse(MergeFields.Render(template, request.Parameters), out var key))
        {
            add(field, $"the {what} must be 'blob:<key>' of an uploaded file (e.g. the key an upload returned)");
            return;
        }

        if (key is null)
        {
            return; // not given: the step is left out
        }

        if (!BlobKey.IsValid(key, out var reason))
        {
            add(field, $"the {what} key {reason}");
        }
        else if (!TenantKeys.Owns(tenant, key) || await blobs.GetInfoAsync(key, cancellationToken) is null)
        {
            add(field, $"no {what} is stored under '{Truncate(key)}'");
        }
    }

    private static string Truncate(string text) => text.Length <= 80 ? text : text[..80] + "…";

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,64}$")]
    private static partial Regex KeyRegex();
}
