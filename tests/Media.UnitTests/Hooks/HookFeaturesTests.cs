using Media.Pipelines.Analysis;
using Media.Pipelines.Hooks;
using Media.Pipelines.Patterns.Steps;
using Media.Pipelines.Render;
using Media.Pipelines.Speech;

namespace Media.UnitTests.Hooks;

public sealed class HookFeaturesTests
{
    private static readonly List<string> Names = [.. HookFeatures.Names];

    [Fact]
    public void Windows_carry_speech_onsets_cuts_faces_loudness_jumps_and_word_cues()
    {
        var analysis = new SourceAnalysis
        {
            DurationSeconds = 10,
            Speech = new SpeechAnalysis("vad", [new TimeRange(2.0, 6.0)]),
            SceneCuts = [5.0],
            Loudness = new LoudnessAnalysis(-20, 0.1, [.. Enumerable.Range(0, 100).Select(i => i < 20 ? -60.0 : -18.0)]),
            Faces = new FaceTrack("bf", 2, [.. Enumerable.Range(0, 20).Select(i => i >= 8 ? new FaceSample(i / 2.0, 0.4f, 0.2f, 0.2f, 0.4f, 0.9f) : new FaceSample(i / 2.0, 0, 0, 0, 0, 0))]),
            Visual = new VisualActivity(2, [.. Enumerable.Range(0, 20).Select(i => i == 10 ? 40f : 1f)], [.. Enumerable.Range(0, 20).Select(i => i >= 8 ? 1 : 0)]),
            Transcript = new Transcript("t", "m", [new Word("what", 2.1, 2.3, 1), new Word("do", 2.3, 2.4, 1), new Word("you", 2.4, 2.6, 1), new Word("think", 2.6, 2.9, 1)]),
        };

        var rows = HookFeatures.Extract(analysis);

        Assert.Equal(20, rows.Length);
        float At(double time, string feature) => rows[(int)(time / HookFeatures.StepSeconds)][Names.IndexOf(feature)];
        Assert.Equal((0f, 1f), (At(1.0, "speech"), At(3.0, "speech")));
        Assert.Equal((1f, 0f), (At(2.0, "speech_onset"), At(4.0, "speech_onset")));
        Assert.Equal((1f, 0f), (At(5.0, "scene_cut"), At(8.0, "scene_cut")));
        Assert.True(At(2.0, "loudness_jump") > 0.9 && At(6.0, "loudness_jump") == 0);
        Assert.Equal((0f, 1f), (At(1.0, "face"), At(6.0, "face")));
        Assert.Equal(1f, At(6.0, "face_centered"), 3);
        Assert.Equal(0.8f, At(6.0, "face_size"), 3);
        Assert.Equal(1f, At(5.0, "motion"));
        Assert.Equal((1f, 1f, 0f), (At(2.5, "question"), At(2.5, "second_person"), At(8.0, "question")));
    }

    [Fact]
    public void Missing_measurements_give_zero_rows_not_errors()
    {
        var rows = HookFeatures.Extract(new SourceAnalysis { DurationSeconds = 3 });

        Assert.Equal(6, rows.Length);
        Assert.All(rows, r => Assert.All(r, v => Assert.Equal(0f, v)));
    }

    [Fact]
    public void Cues_find_questions_direct_address_numbers_superlatives_and_imperative_openings()
    {
        var words = "stop scrolling . here are 3 of the best ways . why does nobody tell you this ?".Split(' ')
            .Where(w => w is not "." and not "?").Select((w, i) => new Word(w, i * 0.3, (i * 0.3) + 0.25, 1)).ToList();
        words[1] = words[1] with { Text = "scrolling." };
        words[8] = words[8] with { Text = "ways." };
        words[^1] = words[^1] with { Text = "this?" };

        var cues = TranscriptCues.Of(words);

        Assert.True(cues[0].Imperative && cues[1].Imperative && !cues[2].Imperative);
        Assert.True(cues[4].Number && cues[7].Superlative && !cues[6].Superlative);
        Assert.True(cues[9].Question && cues[^1].Question && !cues[0].Question && !cues[8].Question);
        Assert.True(cues[13].SecondPerson && !cues[12].SecondPerson);
    }

    [Fact]
    public void Clip_choice_follows_the_hook_and_snaps_to_cuts_and_sentence_ends()
    {
        // 60 s: steady speech in 4 s sentences; a hard cut at 31 s opens the part with a face and a question.
        var segments = Enumerable.Range(0, 15).Select(i => new TimeRange(i * 4.0, (i * 4.0) + 3.4)).ToList();
        var step = HookFeatures.StepSeconds;
        var features = Enumerable.Range(0, 120).Select(i => HookModelTests.Row(("speech", 1), ("face", i * step >= 31 ? 1 : 0), ("question", i * step is >= 31 and < 34 ? 1 : 0))).ToArray();
        var model = HookModel.Default();
        var evaluated = features.Select(f => model.Evaluate(f)).ToList();
        var hooks = new HookWindows("hooks-v1", step, features, [.. evaluated.Select(e => e.Score)], [.. evaluated.Select(e => e.Contributions)]);

        var clips = ClipPlanner.Choose(new ClipsStep(2, 10, 20), 60, new SpeechAnalysis("vad", segments), hooks, [31.0]);

        Assert.Equal(31.0, clips[0].Start);
        var boundaries = segments.Select(s => s.End + 0.1).Append(31.0).Append(60.0).ToList();
        Assert.All(clips, c => Assert.Contains(boundaries, b => Math.Abs(b - c.End) < 1e-9));
        Assert.All(clips, c => Assert.InRange(c.End - c.Start, 10, 20));
        Assert.Contains("face +", clips[0].Reason, StringComparison.Ordinal);
        Assert.Contains("question +", clips[0].Reason, StringComparison.Ordinal);
        Assert.Equal(1.0, clips[0].Features!["face"]);
        Assert.True(clips[0].Contributions!["face"] > 0.5);
        Assert.True(clips[0].Score > clips[1].Score);
    }
}
