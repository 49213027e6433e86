using System.Text.Json;
using Media.Pipelines.Analysis;
using Media.Pipelines.Faces;
using Media.Pipelines.Models;
using Media.Pipelines.Patterns;
using Media.Pipelines.Patterns.Steps;
using Media.Pipelines.Probe;
using Media.Pipelines.Render;
using Media.Pipelines.Speech;
using Media.Pipelines.Tools;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Media.IntegrationTests;

/// <summary>
/// The speaker analysis through real decoding, voice activity and the analyzer's sampling loop, on generated footage
/// whose "faces" a stand-in detector finds: two grey boxes side by side, each with a mouth that flickers while its
/// person speaks (espeak-ng sentences at known times). One pass and three chunks merged must give the same people, each
/// stretch of speech must be named for the right face, and the speaker crop must cut to whoever speaks. The real
/// detector on real faces is measured by `media speakers-eval` (it needs the shared media).
/// </summary>
public sealed class SpeakerAnalysisTests : IAsyncLifetime
{
    private const AnalysisNeeds Needs = AnalysisNeeds.Faces | AnalysisNeeds.Speech | AnalysisNeeds.Speakers;

    // Who speaks when (seconds): the left face, the right, the left, the right.
    private static readonly (double Start, double End, bool Left)[] Turns = [(1, 5, true), (7, 11, false), (13, 17, true), (19, 23, false)];

    private readonly string _folder = Directory.CreateTempSubdirectory("speakers-").FullName;
    private ServiceProvider _services = null!;
    private string _source = null!;

    public async Task InitializeAsync()
    {
        _services = TestPipelines.Services();
        _source = Path.Combine(_folder, "two.mp4");
        var speech = Path.Combine(_folder, "speech.wav");
        var espeak = await TestMedia.RunAsync("espeak-ng", ["-w", speech, "this is my turn to say a few words about it"]);
        Assert.True(espeak.ExitCode == 0, espeak.Stderr);

        // Each face: a grey box with a dark mouth, drawn white every other 0.15 s while its person speaks.
        var mouths = string.Join(",", Turns.Select(t => FormattableString.Invariant(
            $"drawbox=x={(t.Left ? 130 : 450)}:y=200:w=60:h=20:color=white:t=fill:enable='between(t,{t.Start},{t.End})*lt(mod(t,0.3),0.15)'")));
        var delays = string.Join(";", Turns.Select((t, i) => FormattableString.Invariant($"[s{i}]adelay={t.Start * 1000}:all=1[d{i}]")));
        await TestMedia.FFmpegAsync(
            "-f", "lavfi", "-i", "color=c=0x305070:size=640x360:rate=25:duration=24",
            "-i", speech,
            "-filter_complex",
            "[0:v]drawbox=x=100:y=100:w=120:h=140:color=0x808080:t=fill,drawbox=x=420:y=100:w=120:h=140:color=0x808080:t=fill," +
            "drawbox=x=130:y=200:w=60:h=20:color=0x202020:t=fill,drawbox=x=450:y=200:w=60:h=20:color=0x202020:t=fill," + mouths + "[v];" +
            "[1:a]aresample=44100,asplit=4[s0][s1][s2][s3];" + delays + ";[d0][d1][d2][d3]amix=inputs=4:duration=longest:normalize=0,apad=whole_dur=24[a]",
            "-map", "[v]", "-map", "[a]", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-t", "24", _source);
    }

    [Fact]
    public async Task People_OnePassAndChunks_SameTracksAndTurns_EachTurnNamedForTheFaceThatSpeaks()
    {
        var analyzer = new SourceAnalyzer(
            _services.GetRequiredService<ToolRunner>(), _services.GetRequiredService<IOptions<ToolPaths>>(), _services.GetRequiredService<IOptions<ModelOptions>>(),
            new GreyBoxDetector(), _services.GetRequiredService<IRecognizer>());
        var probe = await _services.GetRequiredService<MediaProber>().ProbeAsync(_source, CancellationToken.None);

        var whole = await analyzer.AnalyzeAsync(_source, probe, Needs, Work("whole"), _ => { }, CancellationToken.None);
        var ranges = AnalysisChunks.Ranges(probe.DurationSeconds, 8, 8);
        var (merged, _) = await AnalysisInParts.AnalyzeAsync(analyzer, _source, probe, Needs, ranges, i => Work("part" + i));

        Assert.Equal(3, ranges.Count);
        Assert.Equal(JsonSerializer.Serialize(whole.People), JsonSerializer.Serialize(merged.People));
        var people = merged.People!;
        Assert.Equal(8, people.SampleRate);
        Assert.Equal(2, people.Tracks.Count);
        var left = people.Tracks.MinBy(t => t.Points[0].CenterX)!.Id;
        // The largest face stays on the 2 fps grid.
        Assert.Equal(2, merged.Faces!.SampleRate);
        Assert.Equal(48, merged.Faces.Samples.Count);

        // Every named stretch of speech inside a turn is named for that turn's face.
        var named = people.Turns.Where(t => t.Track is not null).ToList();
        Assert.NotEmpty(named);
        foreach (var (start, end, isLeft) in Turns)
        {
            var inside = named.Where(t => t.Start < end && t.End > start).ToList();
            Assert.True(inside.Sum(t => Math.Min(t.End, end) - Math.Max(t.Start, start)) >= 0.7 * (end - start - 1),
                $"speech at {start}-{end} s is named for {inside.Sum(t => t.Duration):0.##} s only: {string.Join(", ", people.Turns)}");
            Assert.All(inside, t => Assert.Equal(isLeft ? left : people.Tracks.Single(k => k.Id != left).Id, t.Track));
        }

        // The speaker crop on a 9:16 output: inside each turn it holds the speaking face, and it cuts three times.
        var pattern = PatternParser.Parse("apiVersion: media.farm/v1\nname: p\noutputs: [{ name: o, preset: tiktok }]\nsteps:\n  - reframe: { mode: speaker }").Pattern!;
        var path = RenderPlanner.Plan(pattern, pattern.Outputs[0], probe, merged).FacePath!;
        foreach (var (start, end, isLeft) in Turns)
        {
            var middle = (start + end) / 2;
            var faceLeft = isLeft ? 100 : 420;
            Assert.InRange(faceLeft, path.OffsetAt(middle), path.OffsetAt(middle) + path.CropWidth - 120);
        }

        var jumps = path.Keyframes.Zip(path.Keyframes.Skip(1)).Count(k => k.Second.Time - k.First.Time < 0.002 && Math.Abs(k.Second.Offset - k.First.Offset) > 50);
        Assert.Equal(3, jumps);
    }

    public Task DisposeAsync()
    {
        _services.Dispose();
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    private string Work(string name) => Directory.CreateDirectory(Path.Combine(_folder, name)).FullName;

    /// <summary>Finds the footage's grey boxes (one per half of the frame) and puts the mouth where their mouths are drawn.</summary>
    private sealed class GreyBoxDetector : IFaceDetector
    {
        public bool IsAvailable => true;

        public string Name => "grey-boxes";

        public IReadOnlyList<FaceRegion> Detect(ReadOnlySpan<byte> rgb24, int width, int height)
        {
            var faces = new List<FaceRegion>();
            foreach (var (from, to) in new[] { (0, width / 2), (width / 2, width) })
            {
                int minX = int.MaxValue, minY = int.MaxValue, maxX = -1, maxY = -1;
                for (var y = 0; y < height; y++)
                {
                    for (var x = from; x < to; x++)
                    {
                        var p = ((y * width) + x) * 3;
                        if (Math.Abs(rgb24[p] - 128) < 14 && Math.Abs(rgb24[p + 1] - 128) < 14 && Math.Abs(rgb24[p + 2] - 128) < 14)
                        {
                            (minX, minY, maxX, maxY) = (Math.Min(minX, x), Math.Min(minY, y), Math.Max(maxX, x), Math.Max(maxY, y));
                        }
                    }
                }

                if (maxX > minX + 4)
                {
                    var (fx, fy, fw, fh) = ((float)minX / width, (float)minY / height, (float)(maxX - minX + 1) / width, (float)(maxY - minY + 1) / height);
                    // The mouth is drawn 100-120 px down a 140 px box.
                    faces.Add(new FaceRegion(fx, fy, fw, fh, 0.9f, fx + (fw / 2), fy + (fh * 110 / 140)));
                }
            }

            return faces;
        }
    }
}
