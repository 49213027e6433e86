namespace Media.IntegrationTests;

/// <summary>
/// The public protos under buf's rules (buf.yaml: STANDARD lint, each exception named with its reason) and checked for
/// breaking changes against the released contract's descriptors (protos/contract/media-v1.binpb). The breaking check is
/// shown to bite: a copy of the protos with one field removed is refused, naming it.
/// </summary>
[Collection(MediaCollection.Name)]
public sealed class ProtoContractTests
{
    private static readonly string Root = RepositoryPaths.Root();

    private static string Buf()
    {
        var buf = Path.Combine(Root, ".tools", "buf", "node_modules", ".bin", "buf");
        Assert.True(File.Exists(buf), $"buf is not installed at {buf}; run scripts/setup.sh.");
        Assert.True(Directory.Exists(Path.Combine(Root, ".tools", "googleapis", "google", "api")), "google/api protos are missing from .tools/googleapis; run scripts/setup.sh.");
        return buf;
    }

    [Fact]
    public async Task Lint_PublicProtos_CleanUnderTheStandardRules()
    {
        var result = await RunAsync(Root, "lint");

        Assert.True(result.ExitCode == 0, $"buf lint:\n{result.Stdout}{result.Stderr}");
    }

    [Fact]
    public async Task Breaking_AgainstTheReleasedContract_NoneAndARemovedFieldIsCaught()
    {
        var current = await RunAsync(Root, "breaking", "protos", "--against", "protos/contract/media-v1.binpb");
        Assert.True(current.ExitCode == 0, $"buf breaking:\n{current.Stdout}{current.Stderr}");

        var copy = Directory.CreateTempSubdirectory("buf-").FullName;
        try
        {
            File.Copy(Path.Combine(Root, "buf.yaml"), Path.Combine(copy, "buf.yaml"));
            Directory.CreateDirectory(Path.Combine(copy, ".tools"));
            Directory.CreateSymbolicLink(Path.Combine(copy, ".tools", "googleapis"), Path.Combine(Root, ".tools", "googleapis"));
            foreach (var file in Directory.GetFiles(Path.Combine(Root, "protos", "media"), "*.proto", SearchOption.AllDirectories))
            {
                var target = Path.Combine(copy, Path.GetRelativePath(Root, file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target);
            }

            var jobs = Path.Combine(copy, "protos", "media", "v1", "jobs.proto");
            var text = await File.ReadAllTextAsync(jobs);
            Assert.Contains("  string webhook_url = 9;\n", text, StringComparison.Ordinal);
            await File.WriteAllTextAsync(jobs, text.Replace("  string webhook_url = 9;\n", string.Empty, StringComparison.Ordinal));

            var broken = await RunAsync(copy, "breaking", "protos", "--against", Path.Combine(Root, "protos", "contract", "media-v1.binpb"));

            Assert.NotEqual(0, broken.ExitCode);
            Assert.Contains("webhook_url", broken.Stdout + broken.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string directory, params string[] arguments)
    {
        var buf = Buf();
        // buf reads buf.yaml from the folder it runs in.
        return await TestMedia.RunAsync("bash", ["-c", "cd \"$0\" && exec \"$1\" \"${@:2}\"", directory, buf, .. arguments]);
    }
}
