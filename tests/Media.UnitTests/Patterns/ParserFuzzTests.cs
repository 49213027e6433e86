using Media.Pipelines.Patterns;
using Media.Tests.Shared;
using Media.Pipelines.Thumbnails.Templates;

namespace Media.UnitTests.Patterns;

/// <summary>
/// Generated inputs, not hand-picked ones: every built-in pattern and cover template, mutated at random (values of the
/// wrong type, huge and odd numbers, unicode, deep nesting, unknown and missing keys, duplicate keys, truncation), and
/// random YAML/JSON trees. Property: the parser never throws, and every refusal names where (a path) and why. A fixed
/// seed in CI; MEDIA_FUZZ_SEED and MEDIA_FUZZ_CASES run it longer (e.g. 200000 cases) on demand.
/// </summary>
public sealed class ParserFuzzTests
{
    private static readonly int Seed = int.TryParse(Environment.GetEnvironmentVariable("MEDIA_FUZZ_SEED"), out var seed) ? seed : 20261205;
    private static readonly int Cases = int.TryParse(Environment.GetEnvironmentVariable("MEDIA_FUZZ_CASES"), out var cases) ? cases : 3000;

    [Fact]
    public void Patterns_MutatedAndRandom_NeverThrow_EveryRefusalNamesAPath()
    {
        var seeds = BuiltIn("patterns/");
        var (valid, refused) = Run(seeds, document => PatternParser.Parse(document).Violations.Select(v => (v.Path, v.Reason)).ToList());

        // The generator reaches both sides: some mutants stay valid, most are refused.
        Assert.True(valid > 0 && refused > Cases / 4, $"{valid} valid, {refused} refused of {Cases}");
    }

    [Fact]
    public void Templates_MutatedAndRandom_NeverThrow_EveryRefusalNamesAPath()
    {
        var seeds = BuiltIn("thumbnails/");
        var (valid, refused) = Run(seeds, document => ThumbnailTemplateParser.Parse(document).Violations.Select(v => (v.Path, v.Reason)).ToList());

        Assert.True(valid > 0 && refused > Cases / 4, $"{valid} valid, {refused} refused of {Cases}");
    }

    // The built-in documents embedded in the pipelines assembly: the seeds every mutation starts from.
    private static List<string> BuiltIn(string prefix)
    {
        var assembly = typeof(PatternParser).Assembly;
        var documents = assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).Select(n =>
        {
            using var reader = new StreamReader(assembly.GetManifestResourceStream(n)!);
            return reader.ReadToEnd();
        }).ToList();
        Assert.NotEmpty(documents);
        return documents;
    }

    private static (int Valid, int Refused) Run(IReadOnlyList<string> seeds, Func<string, List<(string Path, string Reason)>> parse)
    {
        var random = new Random(Seed);
        int valid = 0, refused = 0;
        for (var i = 0; i < Cases; i++)
        {
            var document = random.Next(10) == 0 ? FuzzInputs.RandomTree(random) : FuzzInputs.Mutate(seeds[random.Next(seeds.Count)], random);
            List<(string Path, string Reason)> violations;
            try
            {
                violations = parse(document);
            }
            catch (Exception ex)
            {
                Assert.Fail($"case {i} (seed {Seed}) threw {ex.GetType().Name}: {ex.Message}\n{Shorten(document)}");
                throw;
            }

            foreach (var (path, reason) in violations)
            {
                Assert.False(string.IsNullOrWhiteSpace(path) || string.IsNullOrWhiteSpace(reason), $"case {i} (seed {Seed}): a refusal without a path or reason\n{Shorten(document)}");
            }

            (valid, refused) = violations.Count == 0 ? (valid + 1, refused) : (valid, refused + 1);
        }

        return (valid, refused);
    }

    private static string Shorten(string document) => document.Length > 2000 ? document[..2000] + "…" : document;
}
