using Media.Pipelines.Captions;
using Media.Pipelines.Models;
using Media.Pipelines.Patterns.Steps;
using Media.Pipelines.Probe;
using Media.Pipelines.Speech;
using Media.Pipelines.Thumbnails;
using Media.Pipelines.Tools;
using Microsoft.Extensions.Options;
using Media.Pipelines.Faces;

namespace Media.Pipelines.Analysis;

/// <summary>
/// Measures what a pattern needs, once per source: loudness and voice activity from one audio decode,
/// faces from small frames sampled at 2 fps and scene cuts from the same video decode (in parallel with the audio). Scratch files live in the stage's
/// folder and are streamed, so memory stays bounded for hours of media.
/// </summary>
public sealed class SourceAnalyzer(ToolRunner runner, IOptions<ToolPaths> tools, IOptions<ModelOptions> models, IFaceDetector faces, IRecognizer recognizer)
{
    private readonly Lazy<SileroVad> _vad = new(() => new SileroVad(Path.Combine(models.Value.ResolveDirectory(), SileroVad.ModelFile)));

    /// <param name="script">For captions: the filmed script (the words are then the script, timed against the audio).</param>
    public async Task<SourceAnalysis> AnalyzeAsync(string input, MediaProbe probe, AnalysisNeeds needs, string workDirectory, Action<double> progress, CancellationToken cancellationToken, string? script = null)
    {
        var audio = needs.HasFlag(AnalysisNeeds.Loudness) || needs.HasFlag(AnalysisNeeds.Speech) || needs.HasFlag(AnalysisNeeds.Words)
            ? AnalyzeAudioAsync(input, probe, needs, workDirectory, script, cancellationToken)
            : Task.FromResult<(LoudnessAnalysis?, SpeechAnalysis?, Transcript?)>((null, null, null));
        var video = needs.HasFlag(AnalysisNeeds.Faces)
            ? TrackFacesAsync(input, probe, workDirectory, progress, cancellationToken)
            : Task.FromResult<(FaceTrack?, IReadOnlyList<double>?, VisualActivity?)>((null, null, null));
        var (loudness, speech, transcript) = await audio;
        var (faceTrack, cuts, visual) = await video;
        progress(1);
        return new SourceAnalysis { DurationSeconds = probe.DurationSeconds, Loudness = loudness, Speech = speech, Transcript = transcript, Faces = faceTrack, SceneCuts = cuts, Visual = visual };
    }

    private async Task<(LoudnessAnalysis?, SpeechAnalysis?, Transcript?)> AnalyzeAudioAsync(string input, MediaProbe probe, AnalysisNeeds needs, string workDirectory, string? script, CancellationToken cancellationToken)
    {
        if (!probe.HasAudio)
        {
            // Silent sources: nothing to measure, nobody speaks.
            return (needs.HasFlag(AnalysisNeeds.Loudness) ? new LoudnessAnalysis(-120, MomentaryLoudnessLog.StepSeconds, []) : null,
                    needs.HasFlag(AnalysisNeeds.Speech) ? new SpeechAnalysis(SileroVad.Name, []) : null,
                    needs.HasFlag(AnalysisNeeds.Words) ? new Transcript(recognizer.Backend, recognizer.Model, []) : null);
        }

        var loudnessLog = needs.HasFlag(AnalysisNeeds.Loudness) ? Path.Combine(workDirectory, "loudness.txt") : null;
        var samples = needs.HasFlag(AnalysisNeeds.Speech) ? Path.Combine(workDirectory, "speech.f32") : null;
        var wav = needs.HasFlag(AnalysisNeeds.Words) ? Path.Combine(workDirectory, "speech16k.wav") : null;
        await runner.RunAsync(tools.Value.FFmpeg, AnalysisCommands.Audio(input, loudnessLog, samples, wav).ToArguments(), cancellationToken);

        LoudnessAnalysis? loudness = null;
        if (loudnessLog is not null)
        {
            loudness = MomentaryLoudnessLog.Parse(File.ReadLines(loudnessLog), probe.DurationSeconds);
        }

        SpeechAnalysis? speech = null;
        if (samples is not null)
        {
            float[] probabilities;
            await using (var stream = new FileStream(samples, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan | FileOptions.Asynchronous))
            {
                probabilities = await _vad.Value.ProbabilitiesAsync(stream, cancellationToken);
            }

            File.Delete(samples);
            speech = new SpeechAnalysis(SileroVad.Name, new SpeechSegmenter().Segments(probabilities, SileroVad.WindowSeconds));
        }

        Transcript? transcript = null;
        if (wav is not null)
        {
            var scripted = string.IsNullOrWhiteSpace(script) ? null : script;
            var heard = await recognizer.RecognizeAsync(wav, scripted, workDirectory, cancellationToken);
            File.Delete(wav);
            transcript = scripted is null
                ? new Transcript(recognizer.Backend, recognizer.Model, heard)
                : new Transcript(recognizer.Backend, recognizer.Model, ScriptAligner.Align(scripted, heard, probe.DurationSeconds), ScriptAligned: true);
            var spoken = speech?.Segments.Sum(s => s.Duration) ?? 0;
            if (transcript.Words.Count == 0 && spoken >= 1)
            {
                throw new CaptionsUnavailableException(
                    $"People speak for {spoken:0.#} s but {recognizer.Backend} recognised no words; the job stops rather than publish a video without its captions (pass the script as the 'script' parameter to caption it anyway).");
            }
        }

        return (loudness, speech, transcript);
    }

    private async Task<(FaceTrack?, IReadOnlyList<double>?, VisualActivity?)> TrackFacesAsync(string input, MediaProbe probe, string workDirectory, Action<double> progress, CancellationToken cancellationToken)
    {
        if (!faces.IsAvailable)
        {
            throw new InvalidOperationException("Face reframing needs the BlazeFace model; run scripts/fetch-models.sh (Media:Models:Directory).");
        }

        var height = AnalysisCommands.FaceFrameHeight(probe.DisplayWidth, probe.DisplayHeight);
        var framesPath = Path.Combine(workDirectory, "faces.rgb");
        var scenesPath = Path.Combine(workDirectory, "scenes.txt");
        await runner.RunAsync(tools.Value.FFmpeg, AnalysisCommands.Video(input, height, framesPath, scenesPath).ToArguments(), cancellationToken);
        var cuts = File.Exists(scenesPath) ? AnalysisCommands.ParseSceneCuts(File.ReadLines(scenesPath)) : [];

        var frameBytes = AnalysisCommands.FaceFrameWidth * height * 3;
        var frame = new byte[frameBytes];
        var previous = new byte[frameBytes];
        var samples = new List<FaceSample>();
        var motion = new List<float>();
        var counts = new List<int>();
        var total = Math.Max(1, new FileInfo(framesPath).Length / frameBytes);
        await using (var stream = new FileStream(framesPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan | FileOptions.Asynchronous))
        {
            for (var i = 0; ; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                try
                {
                    await stream.ReadExactlyAsync(frame, cancellationToken);
                }
                catch (EndOfStreamException)
                {
                    break;
                }

                var time = i / AnalysisCommands.FaceSampleRate;
                var found = faces.Detect(frame, AnalysisCommands.FaceFrameWidth, height);
                var best = found.MaxBy(f => f.Area);
                motion.Add(i == 0 ? 0 : FrameMotion.MeanLumaChange(previous, frame));
                counts.Add(found.Count);
                (previous, frame) = (frame, previous);
                samples.Add(best is null
                    ? new FaceSample(time, 0, 0, 0, 0, 0)
                    : new FaceSample(time, best.X, best.Y, best.Width, best.Height, best.Score));
                if (i % 20 == 0)
                {
                    progress(0.9 * i / total);
                }
            }
        }

        File.Delete(framesPath);
        return (new FaceTrack(faces.Name, AnalysisCommands.FaceSampleRate, samples), cuts, new VisualActivity(AnalysisCommands.FaceSampleRate, motion, counts));
    }
}
