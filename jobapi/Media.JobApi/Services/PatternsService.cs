using Grpc.Core;
using Media.JobApi.Errors;
using Media.Pipelines.Patterns;
using Media.Protos.V1;

namespace Media.JobApi.Services;

public sealed class PatternsService(PatternLibrary library) : Patterns.PatternsBase
{
    public override Task<ListPatternsResponse> ListPatterns(ListPatternsRequest request, ServerCallContext context)
    {
        var response = new ListPatternsResponse();
        response.Patterns.AddRange(library.All.OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => ToInfo(p, builtIn: true)));
        return Task.FromResult(response);
    }

    public override Task<PatternInfo> GetPattern(GetPatternRequest request, ServerCallContext context)
    {
        if (string.IsNullOrWhiteSpace(request.Name))
        {
            throw new RequestValidationException("name", "is required");
        }

        var pattern = library.Find(request.Name) ?? throw new ResourceNotFoundException("pattern", request.Name);
        return Task.FromResult(ToInfo(pattern, builtIn: true));
    }

    public override Task<ValidatePatternResponse> ValidatePattern(ValidatePatternRequest request, ServerCallContext context)
    {
        var result = PatternParser.Parse(request.Document);
        var response = new ValidatePatternResponse { Valid = result.IsValid };
        response.Violations.AddRange(result.Violations.Select(v => new Media.Protos.V1.PatternViolation { Path = v.Path, Reason = v.Reason }));
        if (result.Pattern is not null)
        {
            response.Pattern = ToInfo(result.Pattern, builtIn: false);
        }

        return Task.FromResult(response);
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
}
