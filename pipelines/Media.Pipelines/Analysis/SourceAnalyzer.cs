using Media.Pipelines.Captions;
using Media.Pipelines.FFmpeg;
using Media.Pipelines.Models;
using Media.Pipelines.Patterns.Steps;
using Media.Pipelines.Probe;
using Media.Pipelines.Speakers;
using Media.Pipelines.Speech;
using Media.Pipelines.Thumbnails;
using Media.Pipelines.Tools;
using Microsoft.Extensions.Options;
using Media.Pipelines.Faces;

namespace Media.Pipelines.Analysis;

/// <summary>
/// Measures what a pattern needs, once per source: loudness from one audio decode, voice activity and the recogniser's
/// sound from decodes by blocks on the source's clock (<see cref="VoiceActivityBlocks"/>, <see cref="UtteranceSound"/>:
/// the same samples whichever part of the source a worker measures), faces from small frames sampled at 2 fps and
/// scene cuts from the same video decode (in parallel with the audio). Scratch
/// files live in the stage's folder and are streamed, so memory stays bounded for hours of media. A long source is
/// measured as parts (time ranges, on several workers: <see cref="AnalyzePartAsync"/>) and merged
/// (<see cref="Merge"/>); a short one is one part over everything, through the same merge.
/// </summary>
public sealed class SourceAnalyzer(ToolRunner runner, IOptions<ToolPaths> tools, IOptions<ModelOptions> models, IFaceDetector faces, IRecognizer recognizer)
{
    private readonly Lazy<SileroVad> _vad = new(() => new SileroVad(Path.Combine(models.Value.ResolveDirectory(), SileroVad.ModelFile)));

    /// <param name="script">For captions: the filmed script (the words are then the script, timed against the audio).</param>
    public async Task<SourceAnalysis> AnalyzeAsync(string input, MediaProbe probe, AnalysisNeeds needs, string workDirectory, Action<double> progress, CancellationToken cancellationToken, string? script = null)
    {
        var part = await AnalyzePartAsync(input, probe, needs, null, workDirectory, progress, cancellationToken, script);
        progress(1);
        return Merge([part], probe, needs, script);
    }

    /// <summary>
    /// Measures one range of the source (null: all of it in one pass), on the source's clock: decoded from
    /// <see cref="AnalysisChunks.LeadSeconds"/> before the range and its sound to <see cref="AnalysisChunks.TailSeconds"/>
    /// past it (for words <see cref="SpeechUtterances.ReachSeconds"/>, so that every utterance starting in the range is
    /// heard whole), keeping only what belongs to the range.
    /// </summary>
    public async Task<AnalysisPart> AnalyzePartAsync(string input, MediaProbe probe, AnalysisNeeds needs, TimeRange? range, string workDirectory, Action<double> progress, CancellationToken cancellationToken, string? script = null)
    {
        var start = range?.Start ?? 0;
        var last = range is not { } r || r.End >= probe.DurationSeconds - 1e-6;
        var end = last ? probe.DurationSeconds : range!.Value.End;
        var window = range is null ? (DecodeWindow?)null : new DecodeWindow(Math.Max(0, start - AnalysisChunks.LeadSeconds), last ? null : end + (needs.HasFlag(AnalysisNeeds.Words) ? SpeechUtterances.ReachSeconds : AnalysisChunks.TailSeconds));
        var owned = new Owned(start, end, last, window?.From ?? 0);
        var done = new AnalysisProgress(needs, probe.HasAudio, progress);
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var audio = needs.HasFlag(AnalysisNeeds.Loudness) || needs.HasFlag(AnalysisNeeds.Speech) || needs.HasFlag(AnalysisNeeds.Words)
            ? AnalyzeAudioAsync(input, probe, needs, owned, window, workDirectory, script, done, failed.Token)
            : Task.FromResult(new AnalysisPart());
        var video = needs.HasFlag(AnalysisNeeds.Faces)
            ? TrackFacesAsync(input, probe, needs, owned, window, workDirectory, done, failed.Token)
            : Task.FromResult(new AnalysisPart());
        // The first side to fail stops the other (its tools, its reports) rather than leaving it running unobserved.
        if (await Task.WhenAny(audio, video) is { IsCompletedSuccessfully: false })
        {
            await failed.CancelAsync();
        }

        await Task.WhenAll(audio, video);
        var (heard, seen) = (await audio, await video);
        return heard with { Start = start, End = end, Faces = seen.Faces, SceneCuts = seen.SceneCuts, Visual = seen.Visual, FaceFrames = seen.FaceFrames };
    }

    /// <summary>
    /// Parts in order, covering the source -> its analysis: loudness steps and voice-activity windows joined (segments
    /// and the integrated loudness computed over the whole, with BS.1770 gating, not averaged), words joined (aligned to
    /// the script over the whole when there is one), face samples, motion and scene cuts joined.
    /// </summary>
    public SourceAnalysis Merge(IReadOnlyList<AnalysisPart> parts, MediaProbe probe, AnalysisNeeds needs, string? script)
    {
        parts = [.. parts.OrderBy(p => p.Start)];
        LoudnessAnalysis? loudness = null;
        if (needs.HasFlag(AnalysisNeeds.Loudness))
        {
            var momentary = parts.SelectMany(p => p.Momentary ?? []).ToList();
            var integrated = LoudnessMath.Integrated(new LoudnessAnalysis(double.NaN, MomentaryLoudnessLog.StepSeconds, momentary));
            loudness = new LoudnessAnalysis(double.IsNaN(integrated) ? -120 : Math.Round(integrated, 2), MomentaryLoudnessLog.StepSeconds, momentary);
        }

        SpeechAnalysis? speech = null;
        if (needs.HasFlag(AnalysisNeeds.Speech))
        {
            var probabilities = parts.SelectMany(p => p.SpeechProbabilities ?? []).ToList();
            speech = new SpeechAnalysis(SileroVad.Name, new SpeechSegmenter().Segments(probabilities, SileroVad.WindowSeconds));
        }

        Transcript? transcript = null;
        if (needs.HasFlag(AnalysisNeeds.Words))
        {
            var heard = parts.SelectMany(p => p.Words ?? []).ToList();
            var backend = parts.Select(p => p.RecognizerBackend).FirstOrDefault(b => b is not null) ?? recognizer.Backend;
            var model = parts.Select(p => p.RecognizerModel).FirstOrDefault(m => m is not null) ?? recognizer.Model;
            var scripted = string.IsNullOrWhiteSpace(script) ? null : script;
            transcript = scripted is null || !probe.HasAudio
                ? new Transcript(backend, model, heard)
                : new Transcript(backend, model, ScriptAligner.Align(scripted, heard, probe.DurationSeconds), ScriptAligned: true);
            var spoken = speech?.Segments.Sum(s => s.Duration) ?? 0;
            if (transcript.Words.Count == 0 && spoken >= 1)
            {
                throw new CaptionsUnavailableException(
                    $"People speak for {spoken:0.#} s but {backend} recognised no words; the job stops rather than publish a video without its captions (pass the script as the 'script' parameter to caption it anyway).");
            }
        }

        FaceTrack? faceTrack = null;
        IReadOnlyList<double>? cuts = null;
        VisualActivity? visual = null;
        PeopleAnalysis? people = null;
        if (needs.HasFlag(AnalysisNeeds.Faces))
        {
            faceTrack = new FaceTrack(parts.Select(p => p.Faces?.Model).FirstOrDefault(m => m is not null) ?? faces.Name, AnalysisCommands.FaceSampleRate, [.. parts.SelectMany(p => p.Faces?.Samples ?? [])]);
            cuts = [.. parts.SelectMany(p => p.SceneCuts ?? [])];
            visual = new VisualActivity(AnalysisCommands.FaceSampleRate, [.. parts.SelectMany(p => p.Visual?.Motion ?? [])], [.. parts.SelectMany(p => p.Visual?.FaceCounts ?? [])]);
            if (needs.HasFlag(AnalysisNeeds.Speakers))
            {
                // Tracked over the joined frames, so a chunked analysis gives the same tracks and turns as one pass.
                var tracks = FaceTracker.Track([.. parts.SelectMany(p => p.FaceFrames ?? [])], cuts);
                var rate = AnalysisCommands.FaceRate(needs);
                people = new PeopleAnalysis(rate, tracks, ActiveSpeaker.Turns(tracks, speech?.Segments ?? [], rate));
            }
        }

        return new SourceAnalysis { DurationSeconds = probe.DurationSeconds, Loudness = loudness, Speech = speech, Transcript = transcript, Faces = faceTrack, SceneCuts = cuts, Visual = visual, People = people };
    }

    private async Task<AnalysisPart> AnalyzeAudioAsync(string input, MediaProbe probe, AnalysisNeeds needs, Owned owned, DecodeWindow? window, string workDirectory, string? script, AnalysisProgress progress, CancellationToken cancellationToken)
    {
        if (!probe.HasAudio)
        {
            // Silent sources: nothing to measure, nobody speaks.
            return new AnalysisPart
            {
                Momentary = needs.HasFlag(AnalysisNeeds.Loudness) ? [] : null,
                SpeechProbabilities = needs.HasFlag(AnalysisNeeds.Speech) ? [] : null,
                Words = needs.HasFlag(AnalysisNeeds.Words) ? [] : null,
            };
        }

        double[]? momentary = null;
        if (needs.HasFlag(AnalysisNeeds.Loudness))
        {
            var loudnessLog = Path.Combine(workDirectory, "loudness.txt");
            await runner.RunAsync(tools.Value.FFmpeg, AnalysisCommands.Audio(input, loudnessLog, null, window).ToArguments(), cancellationToken);
            var step = MomentaryLoudnessLog.StepSeconds;
            var first = (int)Math.Round(owned.Start / step);
            var count = (int)Math.Floor((owned.End + 1e-9) / step) - first;
            momentary = MomentaryLoudnessLog.Sample(MomentaryLoudnessLog.Points(File.ReadLines(loudnessLog)), owned.Offset, first, count);
            progress.Loudness(1);
        }

        float[]? probabilities = null;
        IReadOnlyList<TimeRange> utterances = [];
        // Words need the voice activity too: it says where the utterances are.
        if (needs.HasFlag(AnalysisNeeds.Speech) || needs.HasFlag(AnalysisNeeds.Words))
        {
            // The decode's windows, by blocks on the source's clock (the same for one pass and every chunk).
            var skipped = (int)Math.Round(owned.Offset / SileroVad.WindowSeconds);
            int? until = window is { Until: { } end } ? (int)Math.Round(end / SileroVad.WindowSeconds) : null;
            var decoded = await VoiceActivityBlocks.ProbabilitiesAsync(runner, tools.Value.FFmpeg, _vad.Value, input, probe.DurationSeconds, skipped, until, workDirectory, progress.VoiceActivity, cancellationToken);
            // Window j of the decode is window j + skipped of the source; keep those starting inside the range.
            var from = Math.Clamp((int)Math.Round(owned.Start / SileroVad.WindowSeconds) - skipped, 0, decoded.Length);
            var to = owned.Last ? decoded.Length : Math.Clamp((int)Math.Round(owned.End / SileroVad.WindowSeconds) - skipped, from, decoded.Length);
            probabilities = needs.HasFlag(AnalysisNeeds.Speech) ? decoded[from..to] : null;
            // The utterances starting in the range (on the source's clock); the lead and the reach past the range only place them.
            utterances = [.. SpeechUtterances.Plan(decoded, SileroVad.WindowSeconds, owned.Offset, toSourceEnd: owned.Last).Where(u => owned.Contains(u.Start))];
        }

        IReadOnlyList<Word>? words = null;
        if (needs.HasFlag(AnalysisNeeds.Words))
        {
            // Decoded again, by blocks on the source's clock: every worker hears an utterance in the same samples.
            var wav = Path.Combine(workDirectory, "speech16k.wav");
            var layout = await UtteranceSound.DecodeAsync(runner, tools.Value.FFmpeg, input, UtteranceSound.Blocks(utterances), wav, cancellationToken);
            progress.RecognizerSound(1);
            var scripted = string.IsNullOrWhiteSpace(script) ? null : script;
            var heard = await recognizer.RecognizeAsync(wav, layout.Utterances(), scripted, workDirectory, progress.Recognition, cancellationToken);
            File.Delete(wav);
            words = [.. heard.Select(layout.ToSource).OfType<Word>()];
        }

        return new AnalysisPart { Momentary = momentary, SpeechProbabilities = probabilities, Words = words, RecognizerBackend = words is null ? null : recognizer.Backend, RecognizerModel = words is null ? null : recognizer.Model };
    }

    private async Task<AnalysisPart> TrackFacesAsync(string input, MediaProbe probe, AnalysisNeeds needs, Owned owned, DecodeWindow? window, string workDirectory, AnalysisProgress progress, CancellationToken cancellationToken)
    {
        if (!faces.IsAvailable)
        {
            throw new InvalidOperationException("Face reframing needs the BlazeFace model; run scripts/fetch-models.sh (Media:Models:Directory).");
        }

        var height = AnalysisCommands.FaceFrameHeight(probe.DisplayWidth, probe.DisplayHeight);
        var framesPath = Path.Combine(workDirectory, "faces.rgb");
        var scenesPath = Path.Combine(workDirectory, "scenes.txt");
        // Faces are looked for up to the range's end only (words alone read past it).
        var video = window is { } w ? w with { Until = owned.Last ? null : owned.End } : (DecodeWindow?)null;
        var rate = AnalysisCommands.FaceRate(needs);
        var speakers = needs.HasFlag(AnalysisNeeds.Speakers);
        // The decode is most of the pictures' time (all of it before the first sample is read): its -progress says how far.
        var decodeSeconds = (video?.Until ?? probe.DurationSeconds) - (video?.From ?? 0);
        var decode = new FFmpegProgressParser();
        await runner.RunAsync(tools.Value.FFmpeg, AnalysisCommands.Video(input, height, framesPath, scenesPath, video, rate).ToArguments(), cancellationToken, onStdoutLine: line =>
        {
            // Stopped (cancelled, or the sound side failed): ffmpeg's last report on 'q' is no progress.
            if (decode.Feed(line) is { } at && decodeSeconds > 0 && !cancellationToken.IsCancellationRequested)
            {
                progress.PictureDecode(at.OutTime.TotalSeconds / decodeSeconds);
            }
        });
        progress.PictureDecode(1);
        var cuts = File.Exists(scenesPath)
            ? AnalysisCommands.ParseSceneCuts(File.ReadLines(scenesPath)).Select(c => Math.Round(c + owned.Offset, 3)).Where(owned.Contains).ToList()
            : [];

        var frameBytes = AnalysisCommands.FaceFrameWidth * height * 3;
        var frame = new byte[frameBytes];
        var previous = new byte[frameBytes];
        var samples = new List<FaceSample>();
        var motion = new List<float>();
        var counts = new List<int>();
        var frames = speakers ? new List<FaceFrame>() : null;
        IReadOnlyList<FaceRegion> lastFaces = [];
        var detectedAt = -2;
        var perGrid = (int)Math.Round(rate / AnalysisCommands.FaceSampleRate);
        var gridFrame = new byte[frameBytes];
        var haveGrid = false;
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

                var time = owned.Offset + (i / rate);
                (previous, frame) = (frame, previous); // previous: this sample's pixels now; frame: the last sample's
                var inRange = owned.Contains(time);
                // The largest face, motion and face counts stay on the 2 fps grid whatever the sample rate: the face path
                // planner and the hook features are tuned to it. Decodes start on that grid (range edges are multiples of 4 s).
                var onGrid = i % perGrid == 0;
                var change = 0f;
                if (onGrid)
                {
                    change = haveGrid ? FrameMotion.MeanLumaChange(gridFrame, previous) : 0;
                    previous.CopyTo(gridFrame, 0);
                    haveGrid = true;
                }

                IReadOnlyList<FaceRegion>? found = null;
                if (frames is not null && (inRange || (time < owned.Start && time >= owned.Start - (1.5 / rate))))
                {
                    // Every face, with its mouth compared to the last sample's (the lead's last one included, so a
                    // chunk's first sample has its value).
                    found = faces.Detect(previous, AnalysisCommands.FaceFrameWidth, height);
                    var seen = detectedAt == i - 1 ? lastFaces : [];
                    if (inRange)
                    {
                        frames.Add(new FaceFrame(time, [.. found.Select(f => new FaceSighting(MathF.Round(f.X, 4), MathF.Round(f.Y, 4), MathF.Round(f.Width, 4), MathF.Round(f.Height, 4), MathF.Round(f.Score, 3),
                            MouthMotion.SameFace(seen, f) is { } before ? MathF.Round(MouthMotion.Change(frame, before, previous, f, AnalysisCommands.FaceFrameWidth, height), 2) : null))]));
                    }

                    (lastFaces, detectedAt) = (found, i);
                }

                if (!inRange || !onGrid)
                {
                    continue; // the lead: decoded only so that the first sample of the range has its motion (and mouths)
                }

                found ??= faces.Detect(previous, AnalysisCommands.FaceFrameWidth, height);
                var best = found.MaxBy(f => f.Area);
                motion.Add(samples.Count == 0 && owned.Start == 0 ? 0 : change);
                counts.Add(found.Count);
                samples.Add(best is null
                    ? new FaceSample(time, 0, 0, 0, 0, 0)
                    : new FaceSample(time, best.X, best.Y, best.Width, best.Height, best.Score));
                if (i % 20 == 0)
                {
                    progress.FaceSamples((double)i / total);
                }
            }
        }

        File.Delete(framesPath);
        progress.FaceSamples(1);
        return new AnalysisPart
        {
            Faces = new FaceTrack(faces.Name, AnalysisCommands.FaceSampleRate, samples),
            SceneCuts = cuts,
            Visual = new VisualActivity(AnalysisCommands.FaceSampleRate, motion, counts),
            FaceFrames = frames,
        };
    }

    /// <summary>The range a part keeps, on the source's clock, and where its decode began (<paramref name="Offset"/>).</summary>
    private readonly record struct Owned(double Start, double End, bool Last, double Offset)
    {
        public bool Contains(double time) => time >= Start - 1e-6 && (Last || time < End - 1e-6);
    }
}
