namespace Media.Vision.Tests;

public sealed class BlazeFaceAnchorsTests
{
    [Fact]
    public void Centers_FrontModel_Has896Anchors()
    {
        Assert.Equal(896, BlazeFaceAnchors.Count);
        Assert.Equal(896, BlazeFaceAnchors.Centers.Length);
    }

    [Fact]
    public void Centers_FirstTwo_AreCentreOfFirstStride8Cell()
    {
        var centers = BlazeFaceAnchors.Centers;

        Assert.Equal(new FacePoint(0.5f / 16, 0.5f / 16), centers[0]);
        Assert.Equal(centers[0], centers[1]);
        Assert.Equal(new FacePoint(1.5f / 16, 0.5f / 16), centers[2]);
    }

    [Fact]
    public void Centers_AfterFineGrid_StartStride16GridWithSixPerCell()
    {
        var centers = BlazeFaceAnchors.Centers;

        Assert.Equal(new FacePoint(15.5f / 16, 15.5f / 16), centers[511]);
        for (var a = 0; a < 6; a++)
        {
            Assert.Equal(new FacePoint(0.5f / 8, 0.5f / 8), centers[512 + a]);
        }

        Assert.Equal(new FacePoint(1.5f / 8, 0.5f / 8), centers[518]);
    }

    [Fact]
    public void Centers_Last_IsCentreOfLastStride16Cell()
    {
        Assert.Equal(new FacePoint(7.5f / 8, 7.5f / 8), BlazeFaceAnchors.Centers[^1]);
    }
}
