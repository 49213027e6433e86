using System.Runtime.InteropServices;

namespace Media.Pipelines.Speech.Whisper;

// Mirrors of whisper.h (whisper.cpp 1.9.x, as shipped in npm @fugood/node-whisper-linux-x64 1.1.3). whisper_full and
// whisper_init_* take these BY VALUE, so field order, widths and C padding must match the header exactly: C `bool`
// is one byte (byte here, to stay blittable), pointers are IntPtr, size_t is nuint. WhisperBindingTests reads the
// library's own defaults through these layouts, so a drift in the header fails a test instead of corrupting a call.

[StructLayout(LayoutKind.Sequential)]
internal struct WhisperAheads
{
    public nuint NHeads;
    public IntPtr Heads;
}

[StructLayout(LayoutKind.Sequential)]
internal struct WhisperContextParams
{
    public byte UseGpu;
    public byte FlashAttn;
    public int GpuDevice;
    public byte DtwTokenTimestamps;
    public int DtwAheadsPreset;
    public int DtwNTop;
    public WhisperAheads DtwAheads;
    public nuint DtwMemSize;
}

[StructLayout(LayoutKind.Sequential)]
internal struct WhisperVadParams
{
    public float Threshold;
    public int MinSpeechDurationMs;
    public int MinSilenceDurationMs;
    public float MaxSpeechDurationS;
    public int SpeechPadMs;
    public float SamplesOverlap;
}

[StructLayout(LayoutKind.Sequential)]
internal struct WhisperGreedy
{
    public int BestOf;
}

[StructLayout(LayoutKind.Sequential)]
internal struct WhisperBeamSearch
{
    public int BeamSize;
    public float Patience;
}

[StructLayout(LayoutKind.Sequential)]
internal struct WhisperFullParams
{
    public int Strategy;
    public int NThreads;
    public int NMaxTextCtx;
    public int OffsetMs;
    public int DurationMs;

    public byte Translate;
    public byte NoContext;
    public byte NoTimestamps;
    public byte SingleSegment;
    public byte PrintSpecial;
    public byte PrintProgress;
    public byte PrintRealtime;
    public byte PrintTimestamps;

    public byte TokenTimestamps;
    public float TholdPt;
    public float TholdPtsum;
    public int MaxLen;
    public byte SplitOnWord;
    public int MaxTokens;

    public byte DebugMode;
    public int AudioCtx;

    public byte TdrzEnable;

    public IntPtr SuppressRegex;

    public IntPtr InitialPrompt;
    public byte CarryInitialPrompt;
    public IntPtr PromptTokens;
    public int PromptNTokens;

    public IntPtr Language;
    public byte DetectLanguage;

    public byte SuppressBlank;
    public byte SuppressNst;

    public float Temperature;
    public float MaxInitialTs;
    public float LengthPenalty;

    public float TemperatureInc;
    public float EntropyThold;
    public float LogprobThold;
    public float NoSpeechThold;

    public WhisperGreedy Greedy;
    public WhisperBeamSearch BeamSearch;

    public IntPtr NewSegmentCallback;
    public IntPtr NewSegmentCallbackUserData;
    public IntPtr ProgressCallback;
    public IntPtr ProgressCallbackUserData;
    public IntPtr EncoderBeginCallback;
    public IntPtr EncoderBeginCallbackUserData;
    public IntPtr AbortCallback;
    public IntPtr AbortCallbackUserData;
    public IntPtr LogitsFilterCallback;
    public IntPtr LogitsFilterCallbackUserData;

    public IntPtr GrammarRules;
    public nuint NGrammarRules;
    public nuint IStartRule;
    public float GrammarPenalty;

    public byte Vad;
    public IntPtr VadModelPath;
    public WhisperVadParams VadParams;
}

[StructLayout(LayoutKind.Sequential)]
internal struct WhisperTokenData
{
    public int Id;
    public int Tid;
    public float P;
    public float Plog;
    public float Pt;
    public float Ptsum;
    public long T0;
    public long T1;
    public long TDtw;
    public float Vlen;
}
