namespace Media.Pipelines.Thumbnails.Selection;

public sealed record SelectedFrame(FrameCandidate Candidate, string PngPath);
