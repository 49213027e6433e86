using System.Runtime.InteropServices;

namespace Media.Bench;

/// <summary>Peak resident memory from getrusage(2): of this process, and of the largest child it has waited for (ffmpeg, recognisers).</summary>
internal static class ResourceUsage
{
    private const int Self = 0;
    private const int Children = -1;

    public static double PeakSelfMegabytes() => GetRusage(Self, out var usage) == 0 ? usage.MaxRssKilobytes / 1024.0 : double.NaN;

    public static double PeakChildMegabytes() => GetRusage(Children, out var usage) == 0 ? usage.MaxRssKilobytes / 1024.0 : double.NaN;

    [DllImport("libc", EntryPoint = "getrusage")]
    private static extern int GetRusage(int who, out RUsage usage);

    [StructLayout(LayoutKind.Sequential)]
    private struct RUsage
    {
        public long UserSeconds;
        public long UserMicroseconds;
        public long SystemSeconds;
        public long SystemMicroseconds;
        public long MaxRssKilobytes;
        public long Ixrss;
        public long Idrss;
        public long Isrss;
        public long Minflt;
        public long Majflt;
        public long Nswap;
        public long Inblock;
        public long Oublock;
        public long Msgsnd;
        public long Msgrcv;
        public long Nsignals;
        public long Nvcsw;
        public long Nivcsw;
    }
}
