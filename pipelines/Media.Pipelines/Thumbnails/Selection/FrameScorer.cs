using Media.Pipelines.Faces;

namespace Media.Pipelines.Thumbnails.Selection;

/// <summary>
/// Scores a candidate: faces (presence, size, centredness) matter most for covers, then sharpness, good
/// exposure and contrast; frames inside a cut or heavy motion (large change a few frames later) are penalised.
/// Each part is 0..1.
/// </summary>
public static class FrameScorer
{
    public static FrameCandidate Score(double time, (double Sharpness, double MeanLuma, double LumaStdDev) metrics, double difference, IReadOnlyList<FaceRegion> faces, bool facesKnown)
    {
        // Laplacian variance of a sharp 320-px frame is in the hundreds; blur brings it near zero.
        var sharpness = metrics.Sharpness / (metrics.Sharpness + 150);
        var exposure = Math.Clamp(1 - Math.Abs(metrics.MeanLuma - 0.5) * 2.2, 0, 1);
        var contrast = Math.Clamp(metrics.LumaStdDev / 0.22, 0, 1);
        var transition = Math.Clamp(difference / 0.12, 0, 1);
        var face = faces.Count == 0 ? 0 : faces.Max(f => Math.Min(1, f.Area / 0.06) * (0.6 + 0.4 * (f.Score)) * (1 - 0.5 * Math.Abs(f.CenterX - 0.5)));

        var score = facesKnown
            ? 0.40 * face + 0.25 * sharpness + 0.15 * exposure + 0.10 * contrast - 0.35 * transition
            : 0.45 * sharpness + 0.25 * exposure + 0.15 * contrast - 0.35 * transition;
        return new FrameCandidate(time, sharpness, exposure, contrast, transition, face, faces, score);
    }
}
