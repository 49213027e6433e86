namespace Media.Pipelines.Thumbnails.Templates;

public enum CropMode
{
    /// <summary>Keep the largest detected face in the picture (falls back to the centre without faces).</summary>
    Face,

    Center,
}
