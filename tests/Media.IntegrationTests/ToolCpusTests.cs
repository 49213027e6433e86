using Media.Pipelines.Tools;
using Microsoft.Extensions.Logging.Abstractions;

namespace Media.IntegrationTests;

/// <summary>A pinned worker slot's tools really run on its cores only (taskset in front of the tool, the tool's own exit and output).</summary>
public sealed class ToolCpusTests
{
    [Fact]
    public async Task ToolRunner_InAPinnedScope_TheToolRunsOnThoseCoresOnly()
    {
        var runner = new ToolRunner(NullLogger<ToolRunner>.Instance, TimeProvider.System);
        var first = ToolCpus.Allowed()[0];

        var free = await runner.RunAsync("grep", ["Cpus_allowed_list", "/proc/self/status"], CancellationToken.None, captureStdout: true);
        ToolResult pinned;
        using (ToolCpus.Use(first.ToString(System.Globalization.CultureInfo.InvariantCulture)))
        {
            pinned = await runner.RunAsync("grep", ["Cpus_allowed_list", "/proc/self/status"], CancellationToken.None, captureStdout: true);
        }

        Assert.Equal(ToolCpus.Allowed(), ToolCpus.Parse(free.Stdout.Split(':')[1].Trim()));
        Assert.Equal([first], ToolCpus.Parse(pinned.Stdout.Split(':')[1].Trim()));
        // The tool's own exit code comes back through taskset: grep finding nothing exits 1.
        using (ToolCpus.Use(first.ToString(System.Globalization.CultureInfo.InvariantCulture)))
        {
            var failed = await Assert.ThrowsAsync<ToolFailedException>(() => runner.RunAsync("grep", ["no such line", "/proc/self/status"], CancellationToken.None));
            Assert.Equal(("grep", 1), (failed.Tool, failed.ExitCode));
            // A tool that is not there is a start failure (-1), as without pinning, not the tool's exit code.
            var missing = await Assert.ThrowsAsync<ToolFailedException>(() => runner.RunAsync("no-such-tool-here", [], CancellationToken.None));
            Assert.Equal(("no-such-tool-here", -1), (missing.Tool, missing.ExitCode));
            Assert.Contains("could not start", missing.Message, StringComparison.Ordinal);
        }
    }
}
