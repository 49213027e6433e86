using Media.Pipelines.Probe;

namespace Media.UnitTests.Probe;

public sealed class MediaProbeParserTests
{
    [Fact]
    public void Parse_PhoneVideoWithRotationAndCoverArt_ReadsTheRealPictureTrack()
    {
        const string json = """
            {
              "streams": [
                { "index": 0, "codec_type": "video", "codec_name": "mjpeg", "width": 300, "height": 300, "disposition": { "attached_pic": 1 } },
                { "index": 1, "codec_type": "video", "codec_name": "h264", "width": 1920, "height": 1080, "avg_frame_rate": "30000/1001",
                  "side_data_list": [ { "side_data_type": "Display Matrix", "rotation": -90 } ] },
                { "index": 2, "codec_type": "audio", "codec_name": "aac", "sample_rate": "48000", "channels": 2 }
              ],
              "format": { "format_name": "mov,mp4,m4a,3gp,3g2,mj2", "duration": "12.345000", "size": "1048576" }
            }
            """;

        var probe = MediaProbeParser.Parse(json);

        Assert.Equal("h264", probe.VideoCodec);
        Assert.Equal((1920, 1080), (probe.Width, probe.Height));
        Assert.Equal(90, probe.Rotation);
        Assert.Equal((1080, 1920), (probe.DisplayWidth, probe.DisplayHeight));
        Assert.Equal(29.97, probe.FrameRate);
        Assert.Equal(12.345, probe.DurationSeconds);
        Assert.True(probe.HasAudio);
        Assert.Equal(48000, probe.SampleRate);
        Assert.Equal(1048576, probe.SizeBytes);
    }

    [Theory]
    [InlineData("hls")]
    [InlineData("concat")]
    [InlineData("image2")]
    public void Limits_Check_PlaylistsAndSequences_AreRefused(string container)
    {
        var probe = new MediaProbe { Container = container, HasVideo = true, Width = 640, Height = 360, DurationSeconds = 5 };

        Assert.Contains("not accepted", new MediaLimits().Check(probe), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_AudioOnly_HasNoVideo()
    {
        var probe = MediaProbeParser.Parse("""{"streams":[{"codec_type":"audio","codec_name":"flac","duration":"4.5"}],"format":{"format_name":"flac"}}""");

        Assert.False(probe.HasVideo);
        Assert.Equal(4.5, probe.DurationSeconds);
    }

    [Theory]
    [InlineData(0, 0, 10, "no audio or video")]
    [InlineData(1920, 1080, 0, "duration")]
    [InlineData(20000, 1080, 10, "resolution")]
    [InlineData(1920, 1080, 99999, "over the limit")]
    public void Limits_Check_NamesTheProblem(int width, int height, double duration, string expected)
    {
        var probe = new MediaProbe { Container = "mov,mp4,m4a,3gp,3g2,mj2", HasVideo = width > 0, Width = width, Height = height, DurationSeconds = duration };

        Assert.Contains(expected, new MediaLimits().Check(probe), StringComparison.Ordinal);
    }
}
