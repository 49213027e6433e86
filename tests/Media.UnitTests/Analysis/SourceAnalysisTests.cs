using System.Text;
using Media.Pipelines.Analysis;

namespace Media.UnitTests.Analysis;

public sealed class SourceAnalysisTests
{
    [Fact]
    public void Json_RoundTripsEveryPart()
    {
        var analysis = new SourceAnalysis
        {
            DurationSeconds = 4.5,
            Loudness = new LoudnessAnalysis(-23.4, 0.1, [-30, -22.5]),
            Speech = new SpeechAnalysis("silero-vad-v5", [new TimeRange(0.2, 1.5)]),
            Faces = new FaceTrack("blazeface", 2, [new FaceSample(0.5, 0.25f, 0.1f, 0.2f, 0.3f, 0.93f)]),
        };

        var back = SourceAnalysis.FromJson(analysis.ToJson());

        Assert.Equal(analysis.DurationSeconds, back.DurationSeconds);
        Assert.Equal(analysis.Loudness.Momentary, back.Loudness!.Momentary);
        Assert.Equal(analysis.Speech.Segments, back.Speech!.Segments);
        Assert.Equal(analysis.Faces.Samples, back.Faces!.Samples);
    }

    [Fact]
    public void FromJson_OtherVersion_RefusedWithBothVersions()
    {
        var ex = Assert.Throws<InvalidDataException>(() => SourceAnalysis.FromJson(Encoding.UTF8.GetBytes("""{"version":7,"durationSeconds":1}""")));

        Assert.Equal("Analysis document version 7 is not supported (this worker reads version 1).", ex.Message);
    }

    [Fact]
    public void AudioCommand_OneDecodeTwoBranches_Golden()
    {
        var args = AnalysisCommands.Audio("/in/a.mp4", "/w/loud.txt", "/w/s.f32").ToArguments().ToList();

        Assert.Equal(
            "[0:a:0]aresample=async=1:min_hard_comp=0.01:first_pts=0,asplit=outputs=2[l][s];[l]ebur128=metadata=1,ametadata=mode=print:key=lavfi.r128.M:file=/w/loud.txt[lo];"
            + "[s]aresample=out_sample_rate=16000,aformat=sample_fmts=flt:channel_layouts=mono[so]",
            args[args.IndexOf("-filter_complex") + 1]);
        Assert.Equal(["-map", "[lo]", "-vn", "-f", "null", "-", "-map", "[so]", "-f", "f32le", "/w/s.f32"], args[(args.IndexOf("-filter_complex") + 2)..]);
    }

    [Fact]
    public void VideoCommand_FacesAndSceneCutsFromOneDecode()
    {
        var args = AnalysisCommands.Video("/in/a.mp4", 144, "/w/f.rgb", "/w/scenes.txt").ToArguments().ToList();

        Assert.Equal(
            "[0:v:0]split=outputs=2[fa][sc];[fa]fps=fps=2,scale=w=256:h=144,format=pix_fmts=rgb24[f];"
            + "[sc]scale=w=160:h=-2,select=expr=\\'gt(scene\\,0.1)\\',metadata=mode=print:key=lavfi.scene_score:file=/w/scenes.txt,nullsink",
            args[args.IndexOf("-filter_complex") + 1]);
        Assert.Equal([3.0, 6.04], AnalysisCommands.ParseSceneCuts(["frame:0    pts:48000  pts_time:3", "lavfi.scene_score=0.16", "frame:1    pts:96640  pts_time:6.04", "lavfi.scene_score=0.22"]));
    }

    [Fact]
    public void FaceFrames_KeepTheDisplayAspect()
    {
        Assert.Equal(144, AnalysisCommands.FaceFrameHeight(1280, 720));
        Assert.Equal(456, AnalysisCommands.FaceFrameHeight(404, 720));
    }
}
