using Media.Platform.Storage;

namespace Media.UnitTests.Platform;

public sealed class BlobKeyTests
{
    [Theory]
    [InlineData("uploads/up_1/clip.mp4")]
    [InlineData("jobs/job_1/outputs/vertical.mp4")]
    public void IsValid_SafeKeys_Accepted(string key) => Assert.True(BlobKey.IsValid(key, out _));

    [Theory]
    [InlineData("")]
    [InlineData("../etc/passwd")]
    [InlineData("uploads/../../x")]
    [InlineData("/absolute")]
    [InlineData("a//b")]
    [InlineData("a/./b")]
    [InlineData("back\\slash")]
    [InlineData("nul\0byte")]
    [InlineData("ünïcode")]
    public void IsValid_EscapingOrOddKeys_Refused(string key)
    {
        Assert.False(BlobKey.IsValid(key, out var reason));
        Assert.NotEmpty(reason);
    }

    [Theory]
    [InlineData("../../etc/passwd", "passwd")]
    [InlineData("C:\\Users\\me\\clip final.mp4", "clip_final.mp4")]
    [InlineData("..", "file")]
    [InlineData("", "file")]
    [InlineData("vidéo.mp4", "vid_o.mp4")]
    public void SafeSegment_UserFileName_BecomesOneSafeSegment(string name, string expected)
    {
        var segment = BlobKey.SafeSegment(name);

        Assert.Equal(expected, segment);
        Assert.True(BlobKey.IsValid(segment, out _));
    }
}
