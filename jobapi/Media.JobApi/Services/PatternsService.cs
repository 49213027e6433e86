using Grpc.Core;
using Media.JobApi.Errors;
using Media.JobApi.Orchestration;
using Media.JobApi.Store;
using Media.Pipelines.Patterns;
using Media.Pipelines.Thumbnails.Templates;
using Media.Protos.V1;

namespace Media.JobApi.Services;

public sealed class PatternsService(PatternLibrary library, TenantDocumentStores documents, SubmissionValidator validator, TimeProvider time) : Patterns.PatternsBase
{
    public const int MaxTemplatesPerTenant = 100;

    public const int MaxPatternsPerTenant = 100;

    public override async Task<ListPatternsResponse> ListPatterns(ListPatternsRequest request, ServerCallContext context)
    {
        var response = new ListPatternsResponse();
        response.Patterns.AddRange(library.All.OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => ToInfo(p, builtIn: true)));
        var tenant = CallerTenant.Of(context);
        var templates = await validator.OwnTemplatesAsync(tenant, context.CancellationToken);
        foreach (var stored in await documents.Patterns.ListAsync(tenant, context.CancellationToken))
        {
            if (PatternParser.Parse(stored.Document, templates).Pattern is { } pattern)
            {
                response.Patterns.Add(ToInfo(pattern, builtIn: false));
            }
        }

        return response;
    }

    public override async Task<PatternInfo> GetPattern(GetPatternRequest request, ServerCallContext context)
    {
        RequireName(request.Name);
        if (library.Find(request.Name) is { } builtIn)
        {
            return ToInfo(builtIn, builtIn: true);
        }

        var tenant = CallerTenant.Of(context);
        var stored = (await documents.Patterns.ListAsync(tenant, context.CancellationToken)).FirstOrDefault(p => p.Name == request.Name)
            ?? throw new ResourceNotFoundException("pattern", request.Name);
        var parsed = PatternParser.Parse(stored.Document, await validator.OwnTemplatesAsync(tenant, context.CancellationToken));
        return parsed.Pattern is { } pattern
            ? ToInfo(pattern, builtIn: false)
            : new PatternInfo { Name = stored.Name, Document = stored.Document, BuiltIn = false, Description = "(no longer validates: " + string.Join("; ", parsed.Violations.Take(3)) + ")" };
    }

    public override async Task<PatternInfo> PutPattern(PutPatternRequest request, ServerCallContext context)
    {
        var tenant = CallerTenant.Of(context);
        var parsed = PatternParser.Parse(request.Document, await validator.OwnTemplatesAsync(tenant, context.CancellationToken));
        if (parsed.Pattern is not { } pattern)
        {
            throw new RequestValidationException(parsed.Violations.Select(v => new FieldViolation($"document.{v.Path}", v.Reason)).ToList());
        }

        await PutOwnAsync(documents.Patterns, tenant, pattern.Name, request.Document, library.Find(pattern.Name) is not null, MaxPatternsPerTenant, "pattern", context.CancellationToken);
        return ToInfo(pattern, builtIn: false);
    }

    public override async Task<DeletePatternResponse> DeletePattern(DeletePatternRequest request, ServerCallContext context)
    {
        await DeleteOwnAsync(documents.Patterns, CallerTenant.Of(context), request.Name, library.Find(request.Name) is not null, "pattern", context.CancellationToken);
        return new DeletePatternResponse();
    }

    public override async Task<ValidatePatternResponse> ValidatePattern(ValidatePatternRequest request, ServerCallContext context)
    {
        var result = PatternParser.Parse(request.Document, await validator.OwnTemplatesAsync(CallerTenant.Of(context), context.CancellationToken));
        var response = new ValidatePatternResponse { Valid = result.IsValid };
        response.Violations.AddRange(result.Violations.Select(v => new Media.Protos.V1.PatternViolation { Path = v.Path, Reason = v.Reason }));
        if (result.Pattern is not null)
        {
            response.Pattern = ToInfo(result.Pattern, builtIn: false);
        }

        return response;
    }

    public override async Task<ListTemplatesResponse> ListTemplates(ListTemplatesRequest request, ServerCallContext context)
    {
        var response = new ListTemplatesResponse();
        response.Templates.AddRange(ThumbnailTemplateLibrary.All.OrderBy(t => t.Name, StringComparer.Ordinal).Select(t => TemplateInfos.From(t, t.Document, builtIn: true)));
        foreach (var stored in await documents.Templates.ListAsync(CallerTenant.Of(context), context.CancellationToken))
        {
            if (ThumbnailTemplateParser.Parse(stored.Document).Template is { } template)
            {
                response.Templates.Add(TemplateInfos.From(template, stored.Document, builtIn: false));
            }
        }

        return response;
    }

    public override async Task<TemplateInfo> GetTemplate(GetTemplateRequest request, ServerCallContext context)
    {
        RequireName(request.Name);
        if (ThumbnailTemplateLibrary.Find(request.Name) is { } builtIn)
        {
            return TemplateInfos.From(builtIn, builtIn.Document, builtIn: true);
        }

        var own = await validator.OwnTemplatesAsync(CallerTenant.Of(context), context.CancellationToken);
        return own.TryGetValue(request.Name, out var template)
            ? TemplateInfos.From(template, template.Document, builtIn: false)
            : throw new ResourceNotFoundException("template", request.Name);
    }

    public override async Task<TemplateInfo> PutTemplate(PutTemplateRequest request, ServerCallContext context)
    {
        var (template, violations) = ThumbnailTemplateParser.Parse(request.Document);
        if (template is null)
        {
            throw new RequestValidationException(violations.Select(v => new FieldViolation($"document.{v.Path}", v.Reason)).ToList());
        }

        await PutOwnAsync(documents.Templates, CallerTenant.Of(context), template.Name, request.Document, ThumbnailTemplateLibrary.Find(template.Name) is not null, MaxTemplatesPerTenant, "template", context.CancellationToken);
        return TemplateInfos.From(template, request.Document, builtIn: false);
    }

    public override async Task<DeleteTemplateResponse> DeleteTemplate(DeleteTemplateRequest request, ServerCallContext context)
    {
        await DeleteOwnAsync(documents.Templates, CallerTenant.Of(context), request.Name, ThumbnailTemplateLibrary.Find(request.Name) is not null, "template", context.CancellationToken);
        return new DeleteTemplateResponse();
    }

    public override Task<ValidateTemplateResponse> ValidateTemplate(ValidateTemplateRequest request, ServerCallContext context)
    {
        var (template, violations) = ThumbnailTemplateParser.Parse(request.Document);
        var response = new ValidateTemplateResponse { Valid = template is not null };
        response.Violations.AddRange(violations.Select(v => new Media.Protos.V1.PatternViolation { Path = v.Path, Reason = v.Reason }));
        if (template is not null)
        {
            response.Template = TemplateInfos.From(template, request.Document, builtIn: ThumbnailTemplateLibrary.Find(template.Name) is not null);
        }

        return Task.FromResult(response);
    }

    private static void RequireName(string name)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > 64)
        {
            throw new RequestValidationException("name", "is required (1-64 characters)");
        }
    }

    private static PatternInfo ToInfo(Pattern pattern, bool builtIn)
    {
        var info = new PatternInfo
        {
            Name = pattern.Name,
            ApiVersion = pattern.ApiVersion,
            Description = pattern.Description,
            Document = pattern.Document,
            BuiltIn = builtIn,
        };
        info.Outputs.AddRange(pattern.Outputs.Select(o => o.Name));
        return info;
    }

    // A tenant's own pattern or template: never a built-in's name, at most `max` of them; replacing one is always allowed.
    private async Task PutOwnAsync(ITenantDocuments store, string tenant, string name, string document, bool builtIn, int max, string what, CancellationToken cancellationToken)
    {
        if (builtIn)
        {
            throw new ConflictException($"'{name}' is a built-in {what}; choose another name.", "BUILT_IN_NAME", what, name);
        }

        var existing = await store.ListAsync(tenant, cancellationToken);
        if (existing.Count >= max && existing.All(d => d.Name != name))
        {
            throw new RequestValidationException("document.name", $"you already have {existing.Count} {what}s; the limit is {max}");
        }

        await store.PutAsync(new StoredDocument(tenant, name, document, time.GetUtcNow()), cancellationToken);
    }

    private static async Task DeleteOwnAsync(ITenantDocuments store, string tenant, string name, bool builtIn, string what, CancellationToken cancellationToken)
    {
        RequireName(name);
        if (builtIn)
        {
            throw new PreconditionFailedException($"'{name}' is a built-in {what} and cannot be deleted.");
        }

        if (!await store.DeleteAsync(tenant, name, cancellationToken))
        {
            throw new ResourceNotFoundException(what, name);
        }
    }
}
