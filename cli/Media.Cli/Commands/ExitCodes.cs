namespace Media.Cli.Commands;

internal static class ExitCodes
{
    public const int Ok = 0;
    public const int JobFailed = 1;
    public const int Usage = 2;
    public const int ServerError = 3;
}
