using System.Text;
using Google.Rpc;
using Grpc.Core;

namespace Media.Cli.Commands;

/// <summary>Status code, message and any field violations of a failed call, for people.</summary>
public static class RpcErrors
{
    public static string Describe(RpcException exception)
    {
        var text = new StringBuilder($"{exception.StatusCode}: {exception.Status.Detail}");
        var status = exception.GetRpcStatus();
        if (status?.GetDetail<BadRequest>() is { } badRequest)
        {
            foreach (var violation in badRequest.FieldViolations)
            {
                text.Append($"\n  {violation.Field}: {violation.Description}");
            }
        }

        return text.ToString();
    }
}
