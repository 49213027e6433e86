using System.Globalization;
using Media.Pipelines.FFmpeg;
using Media.Pipelines.Patterns;
using Media.Pipelines.Patterns.Steps;

namespace Media.Pipelines.Render;

/// <summary>
/// Render plan -> one ffmpeg invocation: one decode, one filter graph, one encode. The graph: reframe at
/// source time (a face path follows source timestamps), the kept pieces cut out and joined with their
/// zooms (trim/atrim + concat: frame- and sample-exact), speed, text, logo, then the delivery format; audio
/// gets the same cuts and tempo, background music mixed under it (ducked while people speak), a fixed gain
/// to the loudness target and a peak limiter.
/// </summary>
public static class RenderCommandBuilder
{
    public const string VideoLabel = "v";
    public const string AudioLabel = "a";

    /// <param name="seek">Where to read the source from (seconds): null for <see cref="SourceSeek"/>, 0 for its start. Either
    /// way the output is the same; a later start only decodes less.</param>
    public static FFmpegCommand Build(RenderPlan plan, string inputPath, string outputPath, RenderAssets? assets = null, double? seek = null)
    {
        assets ??= RenderAssets.None;
        if (plan.Texts.Count > 0 && (assets.TitlesPath is null || assets.FontsDirectory is null))
        {
            throw new ArgumentException("The plan's texts need their ASS script and a fonts folder.", nameof(assets));
        }

        if ((plan.Logo is not null && assets.LogoPath is null) || (plan.Music is not null && assets.MusicPath is null))
        {
            throw new ArgumentException("The plan's logo and music need their local files.", nameof(assets));
        }

        if (plan.StreamCopy)
        {
            return new FFmpegCommand
            {
                Inputs = [new FFmpegInput(inputPath)],
                Maps = ["0:v:0", "0:a:0"],
                OutputOptions = ["-c", "copy", .. Container()],
                OutputPath = outputPath,
            };
        }

        if (plan.Captions is not null && (assets.CaptionsPath is null || assets.FontsDirectory is null))
        {
            throw new ArgumentException("The plan's captions need their ASS script and a fonts folder.", nameof(assets));
        }

        if ((plan.Intro is not null && assets.IntroPath is null) || (plan.Outro is not null && assets.OutroPath is null))
        {
            throw new ArgumentException("The plan's intro and outro need their local files.", nameof(assets));
        }

        var from = seek ?? SourceSeek(plan);
        var inputs = new List<FFmpegInput> { SourceInput(inputPath, from) };
        var chains = new List<FilterChain>();
        chains.AddRange(Reframe(plan, SourceVideo(chains, from), "vr"));
        var video = plan.IsWholeSource ? "vr" : CutVideo(plan, chains, "vr", 0, long.MaxValue);
        var speech = CutAudio(plan, chains, from);
        var bookended = plan.Intro is not null || plan.Outro is not null;
        var mainVideo = bookended ? "mv" : VideoLabel;
        var mainAudio = bookended ? "ma" : AudioLabel;
        // The edit ends exactly on time in both streams (frames end on frame boundaries, samples do not: the
        // last frame is held a moment by tpad, then both are cut at the same instant), so picture and sound end
        // together and an outro after it stays in sync.
        // Lengths are whole frames, so the last frame and the last sample end at the same instant.
        var main = WholeFrames(plan.MainDurationSeconds, plan.Preset.FrameRate);
        FinishVideo(plan, assets, inputs, chains, video, [Filter.Of("trim", ("duration", main))], mainVideo);
        FinishAudio(plan, assets, inputs, chains, speech, main, mainAudio);

        if (bookended)
        {
            var parts = new List<string>();
            if (plan.Intro is { } intro)
            {
                parts.AddRange(Bookend(plan, intro, assets.IntroPath!, "in", inputs, chains));
            }

            parts.AddRange([mainVideo, mainAudio]);
            if (plan.Outro is { } outro)
            {
                parts.AddRange(Bookend(plan, outro, assets.OutroPath!, "out", inputs, chains));
            }

            chains.Add(new FilterChain(parts, [Filter.Of("concat", ("n", parts.Count / 2), ("v", 1), ("a", 1))], [VideoLabel, AudioLabel]));
        }

        var options = new List<string>
        {
            "-t", FFmpegFormat.Seconds(BookendLength(plan, plan.Intro) + main + BookendLength(plan, plan.Outro)),
        };
        options.AddRange(VideoEncoder(plan));
        options.AddRange(AudioEncoder(plan));
        options.AddRange(Container());

        return new FFmpegCommand
        {
            Inputs = inputs,
            Graph = new FilterGraph(chains),
            Maps = [$"[{VideoLabel}]", $"[{AudioLabel}]"],
            OutputOptions = options,
            OutputPath = outputPath,
        };
    }

    /// <summary>
    /// One part of a chunked render (see <see cref="RenderChunks"/>): the video of output time [start, end) only, through
    /// the whole graph. The source is read from <see cref="RenderChunks.LeadSeconds"/> before the part and its timestamps
    /// put back on the source's clock, so the face path, captions and titles see the times a single render gives them and
    /// the frame-rate conversion picks the same frames; the part is cut out on the output's frame grid. A cut plan's part
    /// runs only the pieces it shows, each from where the part needs it (<see cref="CutGrid"/>), and is put on the output's
    /// clock before the captions and titles. No sound: the audio pass makes it once for the whole output.
    /// </summary>
    public static FFmpegCommand BuildVideoPart(RenderPlan plan, string inputPath, string outputPath, double start, double end, RenderAssets? assets = null)
    {
        assets ??= RenderAssets.None;
        CheckAssets(plan, assets);
        if (!RenderChunks.Chunkable(plan))
        {
            throw new ArgumentException("A stream copy does not render in parts.", nameof(plan));
        }

        var rate = plan.Preset.FrameRate;
        var main = WholeFrames(plan.MainDurationSeconds, rate);
        if (start < 0 || end <= start || end > main + 1e-6)
        {
            throw new ArgumentOutOfRangeException(nameof(end), FormattableString.Invariant($"A part must lie inside the output (0-{main} s): {start}-{end} s."));
        }

        // The part's frames: its edges are on the GOP grid or at the output's end (whole frames, rounded to the microsecond).
        var (firstFrame, endFrame) = ((long)Math.Round(start * rate), (long)Math.Round(end * rate));
        var (first, last) = (firstFrame / (double)rate, endFrame / (double)rate);
        Filter[] cut = [Filter.Of("trim", ("start", first), ("end", last)), Filter.Of("setpts", ("expr", "PTS-STARTPTS"))];
        var inputs = new List<FFmpegInput>();
        var chains = new List<FilterChain>();
        if (plan.IsWholeSource)
        {
            // Output time t shows source time t × speed (the speed's setpts comes after the reframe, as in a single render).
            var seek = Math.Max(0, Math.Floor((start * plan.Speed) - RenderChunks.LeadSeconds));
            inputs.Add(SourceInput(inputPath, seek));
            chains.AddRange(Reframe(plan, SourceVideo(chains, seek), "vr"));
            FinishVideo(plan, assets, inputs, chains, "vr", cut, VideoLabel);
        }
        else
        {
            var needed = CutGrid.Of(plan).Where(p => p.FirstFrame < endFrame && p.EndFrame > firstFrame)
                .Min(p => PieceSource(p, Math.Max(firstFrame, p.FirstFrame) - p.FirstFrame, Math.Min(endFrame, p.EndFrame) - p.FirstFrame, rate).From);
            var seek = Math.Max(0, Math.Floor(needed - RenderChunks.LeadSeconds));
            inputs.Add(SourceInput(inputPath, seek));
            chains.AddRange(Reframe(plan, SourceVideo(chains, seek), "vr"));
            var pieces = CutVideo(plan, chains, "vr", firstFrame, endFrame);
            chains.Add(new FilterChain([pieces], [Filter.Of("setpts", ("expr", FormattableString.Invariant($"PTS+{FFmpegFormat.Number(first)}/TB")))], ["vp"]));
            FinishVideo(plan, assets, inputs, chains, "vp", cut, VideoLabel);
        }

        return new FFmpegCommand
        {
            Inputs = inputs,
            Graph = new FilterGraph(chains),
            Maps = [$"[{VideoLabel}]"],
            OutputOptions = [.. VideoEncoder(plan), "-an", .. Container()],
            OutputPath = outputPath,
        };
    }

    /// <summary>
    /// Where a render reads its source from: an edit whose first piece starts well into the source (a clip from minute 50,
    /// a trim) is read from <see cref="RenderChunks.LeadSeconds"/> before that piece (a whole second), not decoded,
    /// reframed and thrown away from the start. The lead lets the decoders settle (an AAC frame after a seek lacks its
    /// overlap) before anything kept. 0: from the start.
    /// </summary>
    public static double SourceSeek(RenderPlan plan) =>
        plan.Segments.Count == 0 ? 0 : Math.Max(0, Math.Floor(plan.Segments.Min(s => s.Start) - RenderChunks.LeadSeconds));

    private static FFmpegInput SourceInput(string path, double seek) =>
        seek > 0 ? new FFmpegInput(path) { Seek = TimeSpan.FromSeconds(seek) } : new FFmpegInput(path);

    // The source's picture on the source's clock: an input seek starts the timestamps at 0 from the seek point, so it is
    // added back and the face path, layout and cuts see the times they would without it.
    private static string SourceVideo(List<FilterChain> chains, double seek)
    {
        if (seek <= 0)
        {
            return "0:v:0";
        }

        chains.Add(new(["0:v:0"], [OnSourceClock("setpts", seek)], ["vs"]));
        return "vs";
    }

    // setpts or asetpts: timestamps that start at 0 at an input seek, moved back to the source's clock.
    private static Filter OnSourceClock(string filter, double seek) =>
        Filter.Of(filter, ("expr", FormattableString.Invariant($"PTS+{FFmpegFormat.Number(seek)}/TB")));

    /// <summary>The sound of a chunked render: the whole output's audio path (cuts, music, gain, limiter) in one pass, encoded once.</summary>
    public static FFmpegCommand BuildAudioPass(RenderPlan plan, string inputPath, string outputPath, RenderAssets? assets = null)
    {
        assets ??= RenderAssets.None;
        // Read from where the single render reads, so the sound is the single render's.
        var seek = SourceSeek(plan);
        var inputs = new List<FFmpegInput> { SourceInput(inputPath, seek) };
        var chains = new List<FilterChain>();
        var speech = CutAudio(plan, chains, seek);
        var main = WholeFrames(plan.MainDurationSeconds, plan.Preset.FrameRate);
        var bookended = plan.Intro is not null || plan.Outro is not null;
        FinishAudio(plan, assets, inputs, chains, speech, main, bookended ? "ma" : AudioLabel);
        if (bookended)
        {
            // The bookends' sound before and after the edit's, as the single render concatenates them.
            if ((plan.Intro is not null && assets.IntroPath is null) || (plan.Outro is not null && assets.OutroPath is null))
            {
                throw new ArgumentException("The plan's intro and outro need their local files.", nameof(assets));
            }

            var sounds = new List<string>();
            if (plan.Intro is { } intro)
            {
                inputs.Add(new FFmpegInput(assets.IntroPath!));
                sounds.Add(BookendAudio(plan, intro, inputs.Count - 1, "ina", inputs, chains));
            }

            sounds.Add("ma");
            if (plan.Outro is { } outro)
            {
                inputs.Add(new FFmpegInput(assets.OutroPath!));
                sounds.Add(BookendAudio(plan, outro, inputs.Count - 1, "outa", inputs, chains));
            }

            chains.Add(new FilterChain(sounds, [Filter.Of("concat", ("n", sounds.Count), ("v", 0), ("a", 1))], [AudioLabel]));
        }

        return new FFmpegCommand
        {
            Inputs = inputs,
            Graph = new FilterGraph(chains),
            Maps = [$"[{AudioLabel}]"],
            OutputOptions = ["-t", FFmpegFormat.Seconds(BookendLength(plan, plan.Intro) + main + BookendLength(plan, plan.Outro)), "-vn", .. AudioEncoder(plan), .. Container()],
            OutputPath = outputPath,
        };
    }

    /// <summary>
    /// The picture of a chunked render's intro or outro (<paramref name="bookend"/> is the plan's, read from
    /// <paramref name="bookendPath"/>), fitted as the single render fits it and encoded with the parts' settings, so the join
    /// puts it before the first part or after the last by stream copy. No sound: the audio pass has the bookends' sound.
    /// </summary>
    public static FFmpegCommand BuildBookendPart(RenderPlan plan, PlannedBookend bookend, string bookendPath, string outputPath)
    {
        if (!RenderChunks.Chunkable(plan) || (bookend != plan.Intro && bookend != plan.Outro))
        {
            throw new ArgumentException("Only the intro or outro of a plan that renders in parts.", nameof(bookend));
        }

        var chains = new List<FilterChain>();
        BookendVideo(plan, bookend, 0, VideoLabel, chains);
        return new FFmpegCommand
        {
            Inputs = [new FFmpegInput(bookendPath)],
            Graph = new FilterGraph(chains),
            Maps = [$"[{VideoLabel}]"],
            OutputOptions = [.. VideoEncoder(plan), "-an", .. Container()],
            OutputPath = outputPath,
        };
    }

    /// <summary>
    /// The join: the video parts listed in <paramref name="partsListPath"/> (an ffconcat file) one after another and the
    /// audio pass beside them, both by stream copy: nothing is decoded or encoded again.
    /// </summary>
    public static FFmpegCommand BuildJoin(string partsListPath, string audioPath, string outputPath) => new()
    {
        Inputs = [new FFmpegInput(partsListPath) { Format = "concat", SafeFiles = false }, new FFmpegInput(audioPath)],
        Maps = ["0:v:0", "1:a:0"],
        OutputOptions = ["-c", "copy", .. Container()],
        OutputPath = outputPath,
    };

    /// <summary>An ffconcat list of local part files (names quoted for the concat demuxer).</summary>
    public static string ConcatList(IEnumerable<string> partPaths) =>
        "ffconcat version 1.0\n" + string.Concat(partPaths.Select(p => $"file '{p.Replace("'", "'\\''", StringComparison.Ordinal)}'\n"));

    private static void CheckAssets(RenderPlan plan, RenderAssets assets)
    {
        if (plan.Texts.Count > 0 && (assets.TitlesPath is null || assets.FontsDirectory is null))
        {
            throw new ArgumentException("The plan's texts need their ASS script and a fonts folder.", nameof(assets));
        }

        if (plan.Captions is not null && (assets.CaptionsPath is null || assets.FontsDirectory is null))
        {
            throw new ArgumentException("The plan's captions need their ASS script and a fonts folder.", nameof(assets));
        }

        if (plan.Logo is not null && assets.LogoPath is null)
        {
            throw new ArgumentException("The plan's logo needs its local file.", nameof(assets));
        }
    }

    // The picture after the cuts: speed, frame rate, captions, titles, the logo, the delivery pixel format, then `cut`
    // (the edit's exact length, or a part's range).
    private static void FinishVideo(RenderPlan plan, RenderAssets assets, List<FFmpegInput> inputs, List<FilterChain> chains, string video, Filter[] cut, string label)
    {
        if (plan.Logo is { } logo)
        {
            var index = inputs.Count;
            inputs.Add(new FFmpegInput(assets.LogoPath!));
            chains.Add(new FilterChain([video], [.. VideoFinish(plan, assets)], ["vt"]));
            chains.Add(new FilterChain(
                [$"{index}:v:0"],
                [
                    Filter.Of("scale", ("w", logo.WidthPixels), ("h", -2)),
                    Filter.Of("format", ("pix_fmts", "rgba")),
                    Filter.Of("colorchannelmixer", ("aa", logo.Opacity)),
                ],
                ["lg"]));
            chains.Add(new FilterChain(["vt", "lg"], [LogoOverlay(plan, logo), Filter.Of("format", ("pix_fmts", "yuv420p")), .. cut], [label]));
        }
        else
        {
            chains.Add(new FilterChain([video], [.. VideoFinish(plan, assets), Filter.Of("format", ("pix_fmts", "yuv420p")), .. cut], [label]));
        }
    }

    // The sound after the cuts: tempo, music, the master (gain, limiter, format), cut to the edit's exact length; or
    // generated silence of that length when there is no sound at all.
    private static void FinishAudio(RenderPlan plan, RenderAssets assets, List<FFmpegInput> inputs, List<FilterChain> chains, string? speech, double main, string label)
    {
        var mixed = Mix(plan, chains, inputs, assets, speech);
        if (mixed is not null)
        {
            chains.Add(new FilterChain([mixed], [.. Master(plan), Filter.Of("atrim", ("duration", main))], [label]));
        }
        else
        {
            // Generated silence, cut to the edit's length inside the graph (no -shortest guesswork).
            var index = inputs.Count;
            inputs.Add(new FFmpegInput(Filter.Of("anullsrc", ("r", 48000), ("cl", "stereo")).Render()) { Format = "lavfi" });
            chains.Add(new FilterChain([$"{index}:a"], [Filter.Of("atrim", ("duration", main)), .. AudioFormat()], [label]));
        }
    }

    private static string[] VideoEncoder(RenderPlan plan)
    {
        var preset = plan.Preset;
        return
        [
            .. plan.Hardware == OutputHardware.Gpu
                // NVENC's constant-quality VBR stands in for CRF at the same number; the filter graph's frames are
                // uploaded by the encoder, so the graph stays the same on both pools.
                ? ["-c:v", "h264_nvenc", "-preset", "p5", "-tune", "hq", "-rc", "vbr", "-cq", FFmpegFormat.Number(preset.Crf), "-b:v", "0"]
                : new[] { "-c:v", "libx264", "-preset", preset.X264Preset, "-crf", FFmpegFormat.Number(preset.Crf) },
            "-maxrate", $"{preset.MaxBitrateKbps}k",
            "-bufsize", $"{preset.MaxBitrateKbps * 2}k",
            "-profile:v", preset.Profile,
            "-level:v", preset.Level,
            "-pix_fmt", "yuv420p",
            "-g", FFmpegFormat.Number(preset.FrameRate * 2),
        ];
    }

    private static string[] AudioEncoder(RenderPlan plan) =>
        ["-c:a", "aac", "-b:a", $"{plan.Preset.AudioBitrateKbps}k", "-ar", "48000", "-ac", "2"];

    // Source metadata (GPS, device names) is not ours to publish; nor are an input's chapters (ffmpeg copies those of the
    // first input that has any: an intro's chapter marks would span the whole output, and a join left a dangling one).
    private static string[] Container() => ["-map_metadata", "-1", "-map_chapters", "-1", "-movflags", "+faststart", "-f", "mp4"];

    private static IEnumerable<FilterChain> Reframe(RenderPlan plan, string input, string label)
    {
        var w = plan.Width;
        var h = plan.Height;
        switch (plan.Reframe)
        {
            case ReframeMode.Center:
                yield return new FilterChain(
                    [input],
                    [
                        Filter.Of("scale", ("w", w), ("h", h), ("force_original_aspect_ratio", "increase")),
                        Filter.Of("crop", ("w", w), ("h", h)),
                        Filter.Of("setsar", ("sar", 1)),
                    ],
                    [label]);
                break;
            case ReframeMode.Face:
                var path = plan.FacePath ?? throw new ArgumentException("Face reframing needs a crop path.", nameof(plan));
                if (plan.Layout is not { } layout)
                {
                    yield return new FilterChain([input], [.. Crop(path.CropWidth, path.CropHeight, path.Horizontal ? path.Expression() : "0", path.Horizontal ? "0" : path.Expression(), w, h)], [label]);
                    break;
                }

                // Every picture the layout may show is made from each frame and the one for the frame's time is laid on
                // top (overlay's timeline `enable`): one decode, one graph, switching at the planned source times.
                // Only the pictures the layout shows are made (a layout with no wide span has no wide branch).
                var split = layout.Spans.Any(s => s.Kind == Speakers.LayoutKind.Split);
                var wide = layout.Spans.Any(s => s.Kind == Speakers.LayoutKind.Wide);
                string[] branches = [.. new[] { "lc" }, .. split ? new[] { "lt", "lb" } : [], .. wide ? new[] { "lw" } : []];
                yield return new FilterChain([input], [Filter.Of("split", ("outputs", branches.Length))], branches);
                var shown = "lcs";
                yield return new FilterChain(["lc"], [.. Crop(path.CropWidth, path.CropHeight, path.Horizontal ? path.Expression() : "0", path.Horizontal ? "0" : path.Expression(), w, h)], [shown]);
                if (split)
                {
                    yield return new FilterChain(["lt"], [.. Crop(layout.Top.Width, layout.Top.Height, layout.Top.X.Expression(), layout.Top.Y.Expression(), w, h / 2)], ["lts"]);
                    yield return new FilterChain(["lb"], [.. Crop(layout.Bottom.Width, layout.Bottom.Height, layout.Bottom.X.Expression(), layout.Bottom.Y.Expression(), w, h - (h / 2))], ["lbs"]);
                    yield return new FilterChain(["lts", "lbs"], [Filter.Of("vstack", ("inputs", 2))], ["lst"]);
                    yield return new FilterChain([shown, "lst"], [Overlay(layout.Enable(Speakers.LayoutKind.Split))], [wide ? "lso" : label]);
                    shown = "lso";
                }

                if (wide)
                {
                    foreach (var chain in BlurFill("lw", "lw", "lws", w, h))
                    {
                        yield return chain;
                    }

                    yield return new FilterChain([shown, "lws"], [Overlay(layout.Enable(Speakers.LayoutKind.Wide))], [label]);
                }

                break;
            case ReframeMode.Fit:
                yield return new FilterChain(
                    [input],
                    [
                        Filter.Of("scale", ("w", w), ("h", h), ("force_original_aspect_ratio", "decrease"), ("force_divisible_by", 2)),
                        new Filter("pad", [new("w", FFmpegFormat.Number(w)), new("h", FFmpegFormat.Number(h)), new("x", "(ow-iw)/2"), new("y", "(oh-ih)/2"), new("color", "black")]),
                        Filter.Of("setsar", ("sar", 1)),
                    ],
                    [label]);
                break;
            case ReframeMode.BlurFill:
                foreach (var chain in BlurFill(input, string.Empty, label, w, h))
                {
                    yield return chain;
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(plan), plan.Reframe, "Unknown reframe mode.");
        }
    }

    // A window of the source (x and y: expressions of t) scaled to w×h.
    private static Filter[] Crop(int cropWidth, int cropHeight, string x, string y, int w, int h) =>
    [
        new Filter("crop", [new("w", FFmpegFormat.Number(cropWidth)), new("h", FFmpegFormat.Number(cropHeight)), new("x", x), new("y", y)]),
        Filter.Of("scale", ("w", w), ("h", h)),
        Filter.Of("setsar", ("sar", 1)),
    ];

    // The second input over the first while `enable` is non-zero; both are w×h pictures of the same source frame.
    private static Filter Overlay(string enable) => new("overlay", [new("x", "0"), new("y", "0"), new("enable", enable)]);

    // The whole picture fitted in w×h over a blurred copy of itself (its labels start with prefix).
    private static IEnumerable<FilterChain> BlurFill(string input, string prefix, string label, int w, int h)
    {
        yield return new FilterChain([input], [Filter.Of("split", ("outputs", 2))], [prefix + "bg", prefix + "fg"]);
        // Blur a small copy and scale it up: same look as blurring at full size, a fraction of the cost.
        yield return new FilterChain(
            [prefix + "bg"],
            [
                Filter.Of("scale", ("w", w / 4), ("h", h / 4), ("force_original_aspect_ratio", "increase")),
                Filter.Of("crop", ("w", w / 4), ("h", h / 4)),
                Filter.Of("boxblur", ("luma_radius", 10), ("luma_power", 2)),
                Filter.Of("scale", ("w", w), ("h", h)),
            ],
            [prefix + "bgb"]);
        yield return new FilterChain(
            [prefix + "fg"],
            [Filter.Of("scale", ("w", w), ("h", h), ("force_original_aspect_ratio", "decrease"), ("force_divisible_by", 2))],
            [prefix + "fgs"]);
        yield return new FilterChain(
            [prefix + "bgb", prefix + "fgs"],
            [new Filter("overlay", [new("x", "(W-w)/2"), new("y", "(H-h)/2")]), Filter.Of("setsar", ("sar", 1))],
            [label]);
    }

    // The kept pieces' sound: nothing to do for the whole source; one atrim for one piece; asplit -> atrims -> concat for
    // many (sample-exact). seek: where the source input was read from (its timestamps are put back on the source's clock
    // here). Null: the source has no sound.
    private static string? CutAudio(RenderPlan plan, List<FilterChain> chains, double seek)
    {
        if (!plan.SourceHasAudio)
        {
            return null;
        }

        // Cuts take the sound that plays with the picture: the source's audio on its own timeline (SourceTimeline).
        chains.Add(new FilterChain(
            ["0:a:0"],
            [SourceTimeline.Audio(), .. seek > 0 ? [OnSourceClock("asetpts", seek)] : Array.Empty<Filter>()],
            ["at"]));
        if (plan.IsWholeSource)
        {
            return "at";
        }

        var n = plan.Segments.Count;
        if (n > 1)
        {
            chains.Add(new FilterChain(["at"], [Filter.Of("asplit", ("outputs", n))], [.. Enumerable.Range(0, n).Select(i => $"as{i}")]));
        }

        for (var i = 0; i < n; i++)
        {
            var segment = plan.Segments[i];
            chains.Add(new FilterChain(
                [n > 1 ? $"as{i}" : "at"],
                [
                    Filter.Of("atrim", ("start", segment.Start), ("end", segment.End)),
                    Filter.Of("asetpts", ("expr", "PTS-STARTPTS")),
                    .. segment.Speed == 1 ? Array.Empty<Filter>() : [Filter.Of("atempo", ("tempo", segment.Speed))],
                ],
                [$"ac{i}"]));
        }

        if (n == 1)
        {
            return "ac0";
        }

        chains.Add(new FilterChain([.. Enumerable.Range(0, n).Select(i => $"ac{i}")], [Filter.Of("concat", ("n", n), ("v", 0), ("a", 1))], ["ca"]));
        return "ca";
    }

    // The kept pieces' picture on the output's frame grid (CutGrid), the output frames [first, end) of it: each piece
    // trimmed from the source, put on its own clock from its segment's start (at its speed and the plan's), converted to
    // the output's rate there, held to exactly its frames, zoomed, then the pieces joined. The frames come out at the
    // output's rate and speed, timed from the window's first frame. A piece's graph is the same whatever the window, and
    // reads the source only from LeadSeconds before the frames it keeps: the frame-rate conversion picks each frame from
    // the source frames around it, so a part's frames are the single render's.
    private static string CutVideo(RenderPlan plan, List<FilterChain> chains, string input, long first, long end)
    {
        var rate = plan.Preset.FrameRate;
        var pieces = CutGrid.Of(plan).Where(p => p.FirstFrame < end && p.EndFrame > first).ToList();
        if (pieces.Count == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(end), FormattableString.Invariant($"No kept piece of the plan shows output frames {first}-{end}."));
        }

        if (pieces.Count > 1)
        {
            chains.Add(new FilterChain([input], [Filter.Of("split", ("outputs", pieces.Count))], [.. Enumerable.Range(0, pieces.Count).Select(i => $"vs{i}")]));
        }

        for (var i = 0; i < pieces.Count; i++)
        {
            var piece = pieces[i];
            var segment = piece.Segment;
            var (from, to) = (Math.Max(first, piece.FirstFrame) - piece.FirstFrame, Math.Min(end, piece.EndFrame) - piece.FirstFrame);
            var (sourceFrom, sourceTo) = PieceSource(piece, from, to, rate);
            var clock = FormattableString.Invariant($"PTS-{FFmpegFormat.Number(segment.Start)}/TB");
            // The stretch with all its digits: the piece's frame count comes from the exact value, and over an hour-long
            // piece a rounded one would drift by more than the last frame's hold.
            var stretch = piece.Stretch.ToString("0.#########", CultureInfo.InvariantCulture);
            var filters = new List<Filter>
            {
                Filter.Of("trim", ("start", sourceFrom), ("end", sourceTo)),
                Filter.Of("setpts", ("expr", piece.Stretch == 1 ? clock : $"({clock})/{stretch}")),
                // Shown from its start, the piece's first output frame is at its own time 0: the frames read before it
                // (negative times) are dropped but the last of them, which fills frame 0 when no frame falls right on the
                // cut. Later in a piece the conversion starts at the first frame read, a second before the part's frames.
                from == 0 ? Filter.Of("fps", ("fps", rate), ("start_time", 0)) : Filter.Of("fps", ("fps", rate)),
                // A piece whose source frames end a moment early still fills its last output frame.
                Filter.Of("tpad", ("stop_mode", "clone"), ("stop_duration", 0.1)),
                from == 0 ? Filter.Of("trim", ("end_pts", to)) : Filter.Of("trim", ("start_pts", from), ("end_pts", to)),
                Filter.Of("setpts", ("expr", "PTS-STARTPTS")),
            };
            if (segment.Zoom > 1)
            {
                // Punch-in: enlarge and crop the middle back to the frame size.
                filters.Add(Filter.Of("scale", ("w", Even(plan.Width * segment.Zoom)), ("h", Even(plan.Height * segment.Zoom))));
                filters.Add(Filter.Of("crop", ("w", plan.Width), ("h", plan.Height)));
            }

            chains.Add(new FilterChain([pieces.Count > 1 ? $"vs{i}" : input], filters, [$"vc{i}"]));
        }

        if (pieces.Count == 1)
        {
            return "vc0";
        }

        chains.Add(new FilterChain([.. Enumerable.Range(0, pieces.Count).Select(i => $"vc{i}")], [Filter.Of("concat", ("n", pieces.Count), ("v", 1), ("a", 0))], ["cv"]));
        return "cv";
    }

    // The source a piece's local output frames [from, to) need: from LeadSeconds before the first (before the segment's
    // start too: the frame on screen at the cut is the last one at or before it, and a piece shorter than a source frame
    // still has that one to show), to LeadSeconds after the last (within the segment).
    private static (double From, double To) PieceSource(GridPiece piece, long from, long to, int rate) =>
    (
        Math.Max(0, piece.SourceTime(from, rate) - RenderChunks.LeadSeconds),
        Math.Min(piece.Segment.End, piece.SourceTime(to, rate) + RenderChunks.LeadSeconds)
    );

    /// <summary>
    /// The render's audio path alone (same cuts, tempo, gain and limiter) into a loudness meter: lets the
    /// analysis stage measure what the limiter costs, so the render itself stays one pass.
    /// </summary>
    public static FFmpegCommand BuildAudioCheck(RenderPlan plan, string inputPath, string loudnessLogPath, RenderAssets? assets = null)
    {
        assets ??= RenderAssets.None;
        // Read from where the render reads, so the check hears what the render will.
        var seek = SourceSeek(plan);
        var inputs = new List<FFmpegInput> { SourceInput(inputPath, seek) };
        var chains = new List<FilterChain>();
        var speech = CutAudio(plan, chains, seek);
        var mixed = Mix(plan, chains, inputs, assets, speech) ?? throw new ArgumentException("The output has no sound to measure.", nameof(plan));
        chains.Add(new FilterChain(
            [mixed],
            [.. Master(plan), Filter.Of("ebur128", ("metadata", 1)), Filter.Of("ametadata", ("mode", "print"), ("key", "lavfi.r128.I"), ("file", loudnessLogPath))],
            ["m"]));
        return new FFmpegCommand
        {
            Inputs = inputs,
            Graph = new FilterGraph(chains),
            Maps = ["[m]"],
            OutputOptions = ["-vn", "-f", "null"],
            OutputPath = "-",
        };
    }

    private static IEnumerable<Filter> VideoFinish(RenderPlan plan, RenderAssets assets)
    {
        if (plan.Speed != 1 && plan.IsWholeSource)
        {
            // A cut plan's pieces are already at the plan's speed (CutVideo).
            yield return Filter.Of("setpts", ("expr", $"PTS/{FFmpegFormat.Number(plan.Speed)}"));
        }

        yield return Filter.Of("fps", ("fps", plan.Preset.FrameRate));
        // Frames end on frame boundaries, samples do not: hold the last frame a little and let -t cut both
        // streams at the same instant, so picture and sound end together.
        yield return Filter.Of("tpad", ("stop_mode", "clone"), ("stop_duration", 0.1));
        if (plan.Captions is not null)
        {
            // libass draws the captions inside this same graph: no extra pass, no second encode.
            yield return Filter.Of("ass", ("filename", assets.CaptionsPath!), ("fontsdir", assets.FontsDirectory!));
        }

        if (plan.Texts.Count > 0)
        {
            // Titles after captions: a title is never hidden behind a caption.
            yield return Filter.Of("ass", ("filename", assets.TitlesPath!), ("fontsdir", assets.FontsDirectory!));
        }
    }

    // Speech after the cuts: tempo; then background music under it (ducked while people speak). Null: no sound at all.
    private static string? Mix(RenderPlan plan, List<FilterChain> chains, List<FFmpegInput> inputs, RenderAssets assets, string? speech)
    {
        if (speech is not null && (plan.Speed != 1 || plan.Music is not null))
        {
            var filters = new List<Filter>();
            if (plan.Speed != 1)
            {
                // atempo changes tempo and keeps pitch.
                filters.Add(Filter.Of("atempo", ("tempo", plan.Speed)));
            }

            if (plan.Music is not null)
            {
                // The mixer and the sidechain need both inputs in one format.
                filters.AddRange(AudioFormat());
            }

            chains.Add(new FilterChain([speech], filters, ["sp"]));
            speech = "sp";
        }

        if (plan.Music is not { } music)
        {
            return speech;
        }

        var index = inputs.Count;
        inputs.Add(new FFmpegInput(assets.MusicPath!) { Loop = true });
        var length = plan.MainDurationSeconds;
        chains.Add(new FilterChain(
            [$"{index}:a:0"],
            [
                Filter.Of("atrim", ("duration", length)),
                .. AudioFormat(),
                Filter.Of("volume", ("volume", $"{FFmpegFormat.Number(music.VolumeDb)}dB")),
                Filter.Of("afade", ("t", "in"), ("st", 0), ("d", Math.Min(music.FadeInSeconds, length / 2))),
                Filter.Of("afade", ("t", "out"), ("st", Math.Max(0, length - music.FadeOutSeconds)), ("d", Math.Min(music.FadeOutSeconds, length))),
            ],
            ["mu"]));
        if (speech is null)
        {
            return "mu";
        }

        var bed = "mu";
        if (music.Duck)
        {
            chains.Add(new FilterChain([speech], [Filter.Of("asplit", ("outputs", 2))], ["sp1", "key"]));
            chains.Add(new FilterChain(
                ["mu", "key"],
                [Filter.Of("sidechaincompress", ("threshold", 0.02), ("ratio", 8), ("attack", 20), ("release", 400))],
                ["md"]));
            speech = "sp1";
            bed = "md";
        }

        chains.Add(new FilterChain([speech, bed], [Filter.Of("amix", ("inputs", 2), ("duration", "first"), ("normalize", 0))], ["mx"]));
        return "mx";
    }

    // The whole mix: a fixed gain to the loudness target, a peak limiter, the delivery format.
    private static IEnumerable<Filter> Master(RenderPlan plan)
    {
        if (plan.GainDb is { } gain)
        {
            yield return Filter.Of("volume", ("volume", $"{FFmpegFormat.Number(gain)}dB"));
            yield return Filter.Of("alimiter", ("limit", plan.PeakLimit), ("attack", 5), ("release", 50), ("level", 0));
        }

        foreach (var filter in AudioFormat())
        {
            yield return filter;
        }
    }

    // An intro or outro fitted to the output (black bars if its shape differs), at the output's rate, its sound
    // (or generated silence) in the output's format, both cut to exactly its length.
    private static string[] Bookend(RenderPlan plan, PlannedBookend bookend, string path, string label, List<FFmpegInput> inputs, List<FilterChain> chains)
    {
        var index = inputs.Count;
        inputs.Add(new FFmpegInput(path));
        return [BookendVideo(plan, bookend, index, $"{label}v", chains), BookendAudio(plan, bookend, index, $"{label}a", inputs, chains)];
    }

    // The picture of the bookend read by input <paramref name="index"/>: fitted, at the output's rate, exactly its frames.
    // Its length is the file's (its longest stream): a picture that ends before its sound (a music tail) holds its last
    // frame to the end, so the picture after it starts where its sound does, in one piece and in parts alike.
    private static string BookendVideo(RenderPlan plan, PlannedBookend bookend, int index, string label, List<FilterChain> chains)
    {
        var length = BookendLength(plan, bookend);
        chains.Add(new FilterChain(
            [$"{index}:v:0"],
            [
                Filter.Of("scale", ("w", plan.Width), ("h", plan.Height), ("force_original_aspect_ratio", "decrease"), ("force_divisible_by", 2)),
                new Filter("pad", [new("w", FFmpegFormat.Number(plan.Width)), new("h", FFmpegFormat.Number(plan.Height)), new("x", "(ow-iw)/2"), new("y", "(oh-ih)/2"), new("color", "black")]),
                Filter.Of("setsar", ("sar", 1)),
                Filter.Of("fps", ("fps", plan.Preset.FrameRate)),
                Filter.Of("format", ("pix_fmts", "yuv420p")),
                Filter.Of("tpad", ("stop_mode", "clone"), ("stop_duration", length)),
                Filter.Of("trim", ("duration", length)),
                Filter.Of("setpts", ("expr", "PTS-STARTPTS")),
            ],
            [label]));
        return label;
    }

    // The sound of the bookend read by input <paramref name="index"/> (or silence when it has none), exactly its length.
    private static string BookendAudio(RenderPlan plan, PlannedBookend bookend, int index, string label, List<FFmpegInput> inputs, List<FilterChain> chains)
    {
        var length = BookendLength(plan, bookend);
        if (bookend.HasAudio)
        {
            chains.Add(new FilterChain([$"{index}:a:0"], [.. AudioFormat(), Filter.Of("apad"), Filter.Of("atrim", ("duration", length)), Filter.Of("asetpts", ("expr", "PTS-STARTPTS"))], [label]));
        }
        else
        {
            var silence = inputs.Count;
            inputs.Add(new FFmpegInput(Filter.Of("anullsrc", ("r", 48000), ("cl", "stereo")).Render()) { Format = "lavfi" });
            chains.Add(new FilterChain([$"{silence}:a"], [Filter.Of("atrim", ("duration", length)), .. AudioFormat()], [label]));
        }

        return label;
    }

    // A bookend's length on the output: whole frames of the output's rate.
    private static double BookendLength(RenderPlan plan, PlannedBookend? bookend) => bookend is null ? 0 : WholeFrames(bookend.DurationSeconds, plan.Preset.FrameRate);

    private static Filter LogoOverlay(RenderPlan plan, PlannedLogo logo)
    {
        var m = FFmpegFormat.Number(logo.MarginPixels);
        var x = logo.Position is Corner.TopLeft or Corner.BottomLeft ? m : $"W-w-{m}";
        // Vertical video: bottom corners stay above the platforms' caption and button zone (bottom 22%).
        var bottom = plan.Height > plan.Width ? "H*0.78-h" : $"H-h-{m}";
        var y = logo.Position is Corner.TopLeft or Corner.TopRight ? m : bottom;
        return new Filter("overlay", [new("x", x), new("y", y)]);
    }

    private static Filter[] AudioFormat() =>
    [
        Filter.Of("aresample", ("out_sample_rate", 48000)),
        Filter.Of("aformat", ("sample_fmts", "fltp"), ("channel_layouts", "stereo")),
    ];

    private static int Even(double value) => (int)Math.Round(value / 2) * 2;

    /// <summary>The edit's exact length: whole frames of the output's rate (what the render cuts both streams to).</summary>
    public static double MainLength(RenderPlan plan) => WholeFrames(plan.MainDurationSeconds, plan.Preset.FrameRate);

    private static double WholeFrames(double seconds, int frameRate) => Math.Round(Math.Floor((seconds * frameRate) + 1e-6) / frameRate, 6);
}
