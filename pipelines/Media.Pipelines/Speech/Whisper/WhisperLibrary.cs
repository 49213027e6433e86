using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Text;

namespace Media.Pipelines.Speech.Whisper;

/// <summary>
/// whisper.cpp's C API, loaded from a shared library at run time (the Linux build inside npm
/// `@fugood/node-whisper-linux-x64`, fetched by scripts/fetch-models.sh; any libwhisper.so of the same API works).
/// One instance per library path for the whole process. Logging from whisper/ggml goes into a per-thread buffer so
/// that a failed model load can say why.
/// </summary>
public sealed class WhisperLibrary
{
    private const int GgmlLogLevelError = 4;
    private static readonly ConcurrentDictionary<string, Lazy<WhisperLibrary>> Loaded = new(StringComparer.Ordinal);

    [ThreadStatic]
    private static StringBuilder? _errors;

    // Native code holds this pointer for the life of the process, so the delegate must never be collected.
    private static readonly LogCallback Log = OnLog;

    private WhisperLibrary(string path)
    {
        Path = path;
        var handle = NativeLibrary.Load(path);
        T Get<T>(string name)
            where T : Delegate => Marshal.GetDelegateForFunctionPointer<T>(NativeLibrary.GetExport(handle, name));

        Version = Marshal.PtrToStringUTF8(Get<StringFunction>("whisper_version")()) ?? "unknown";
        SystemInfo = Marshal.PtrToStringUTF8(Get<StringFunction>("whisper_print_system_info")()) ?? string.Empty;
        var logPointer = Marshal.GetFunctionPointerForDelegate(Log);
        Get<LogSet>("whisper_log_set")(logPointer, IntPtr.Zero);
        Get<LogSet>("ggml_log_set")(logPointer, IntPtr.Zero);

        ContextDefaultParams = Get<ContextDefaultParamsFunction>("whisper_context_default_params");
        InitFromFileNoState = Get<InitFromFileFunction>("whisper_init_from_file_with_params_no_state");
        InitState = Get<PointerFunction>("whisper_init_state");
        Free = Get<FreeFunction>("whisper_free");
        FreeState = Get<FreeFunction>("whisper_free_state");
        FullDefaultParams = Get<FullDefaultParamsFunction>("whisper_full_default_params");
        FullDefaultParamsByRef = Get<FullDefaultParamsByRefFunction>("whisper_full_default_params_by_ref");
        FreeParams = Get<FreeFunction>("whisper_free_params");
        FullWithState = Get<FullWithStateFunction>("whisper_full_with_state");
        SegmentCount = Get<IntOfPointerFunction>("whisper_full_n_segments_from_state");
        TokenCount = Get<IntOfPointerIntFunction>("whisper_full_n_tokens_from_state");
        TokenText = Get<TokenTextFunction>("whisper_full_get_token_text_from_state");
        TokenData = Get<TokenDataFunction>("whisper_full_get_token_data_from_state");
        TokenEot = Get<IntOfPointerFunction>("whisper_token_eot");
        ModelTypeReadable = Get<PointerFunction>("whisper_model_type_readable");
        LanguageId = Get<LanguageIdFunction>("whisper_lang_id");
    }

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void LogCallback(int level, IntPtr text, IntPtr userData);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate IntPtr StringFunction();

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void LogSet(IntPtr callback, IntPtr userData);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    internal delegate WhisperContextParams ContextDefaultParamsFunction();

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    internal delegate IntPtr InitFromFileFunction([MarshalAs(UnmanagedType.LPUTF8Str)] string path, WhisperContextParams parameters);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    internal delegate IntPtr PointerFunction(IntPtr pointer);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    internal delegate void FreeFunction(IntPtr pointer);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    internal delegate WhisperFullParams FullDefaultParamsFunction(int strategy);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    internal delegate IntPtr FullDefaultParamsByRefFunction(int strategy);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    internal delegate int FullWithStateFunction(IntPtr context, IntPtr state, WhisperFullParams parameters, float[] samples, int count);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    internal delegate int IntOfPointerFunction(IntPtr pointer);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    internal delegate int IntOfPointerIntFunction(IntPtr pointer, int index);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    internal delegate IntPtr TokenTextFunction(IntPtr context, IntPtr state, int segment, int token);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    internal delegate WhisperTokenData TokenDataFunction(IntPtr state, int segment, int token);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    internal delegate int LanguageIdFunction([MarshalAs(UnmanagedType.LPUTF8Str)] string language);

    public string Path { get; }

    /// <summary>whisper.cpp's own version string (e.g. "1.9.3").</summary>
    public string Version { get; }

    /// <summary>The CPU features the build uses (AVX2, F16C, ...).</summary>
    public string SystemInfo { get; }

    internal ContextDefaultParamsFunction ContextDefaultParams { get; }

    internal InitFromFileFunction InitFromFileNoState { get; }

    internal PointerFunction InitState { get; }

    internal FreeFunction Free { get; }

    internal FreeFunction FreeState { get; }

    internal FullDefaultParamsFunction FullDefaultParams { get; }

    internal FullDefaultParamsByRefFunction FullDefaultParamsByRef { get; }

    internal FreeFunction FreeParams { get; }

    internal FullWithStateFunction FullWithState { get; }

    internal IntOfPointerFunction SegmentCount { get; }

    internal IntOfPointerIntFunction TokenCount { get; }

    internal TokenTextFunction TokenText { get; }

    internal TokenDataFunction TokenData { get; }

    internal IntOfPointerFunction TokenEot { get; }

    internal PointerFunction ModelTypeReadable { get; }

    internal LanguageIdFunction LanguageId { get; }

    /// <summary>Loads the library once per path. A missing file or one that is not a loadable whisper.cpp build gets an error naming the path.</summary>
    public static WhisperLibrary Load(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new FileNotFoundException($"The whisper.cpp library is missing at {full}; run scripts/fetch-models.sh or set Media:Speech:WhisperLibrary.", full);
        }

        var lazy = Loaded.GetOrAdd(full, p => new Lazy<WhisperLibrary>(() => Open(p)));
        try
        {
            return lazy.Value;
        }
        catch
        {
            // A failed load must not stay cached: the file may be replaced and tried again.
            Loaded.TryRemove(new KeyValuePair<string, Lazy<WhisperLibrary>>(full, lazy));
            throw;
        }
    }

    /// <summary>Starts collecting whisper/ggml error lines logged on this thread; <see cref="StopCollectingErrors"/> returns them.</summary>
    internal static void StartCollectingErrors() => _errors = new StringBuilder();

    internal static string StopCollectingErrors()
    {
        var text = _errors?.ToString().Trim() ?? string.Empty;
        _errors = null;
        return text;
    }

    private static WhisperLibrary Open(string path)
    {
        try
        {
            return new WhisperLibrary(path);
        }
        catch (Exception ex) when (ex is DllNotFoundException or BadImageFormatException or EntryPointNotFoundException)
        {
            throw new InvalidDataException($"{path} is not a usable whisper.cpp library: {ex.Message}", ex);
        }
    }

    private static void OnLog(int level, IntPtr text, IntPtr userData)
    {
        if (level == GgmlLogLevelError && _errors is not null)
        {
            _errors.Append(Marshal.PtrToStringUTF8(text));
        }
    }
}
