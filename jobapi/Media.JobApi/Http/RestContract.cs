using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Media.JobApi.Errors;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Grpc.JsonTranscoding;
using Microsoft.AspNetCore.Http;

namespace Media.JobApi.Http;

/// <summary>
/// In front of the REST routes (gRPC JSON transcoding). A streamed answer (`GET /v1/jobs/{id}:watch`, an output's
/// download) says what it is: newline-delimited JSON (<see cref="StreamMediaType"/>), one object per line, not the
/// `application/json` a client would try to parse whole. An action route sent without a body (`POST /v1/jobs/{id}:cancel`)
/// gets the empty message it means, and a JSON body is checked against its message (<see cref="JsonRequestCheck"/>)
/// before transcoding reads it, which silently drops unknown fields and answers type errors without naming the field.
/// A refused body is 400 with the same google.rpc.Status JSON as every other REST error: InvalidArgument and a
/// BadRequest detail with one violation per field.
/// </summary>
public static class RestContract
{
    public const string StreamMediaType = "application/x-ndjson";

    // Larger bodies are left to the gRPC receive limit, which refuses them.
    private const int MaxCheckedBytes = 8 * 1024 * 1024;

    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithTypeRegistry(
        Google.Protobuf.Reflection.TypeRegistry.FromMessages(BadRequest.Descriptor)));

    public static IApplicationBuilder UseRestContract(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var rule = context.GetEndpoint()?.Metadata.GetMetadata<GrpcJsonTranscodingMetadata>();
        if (rule is { MethodDescriptor.IsServerStreaming: true })
        {
            context.Response.OnStarting(() =>
            {
                if (context.Response.StatusCode == StatusCodes.Status200OK)
                {
                    context.Response.ContentType = StreamMediaType;
                }

                return Task.CompletedTask;
            });
        }

        if (rule is null || string.IsNullOrEmpty(rule.HttpRule.Body))
        {
            await next(context);
            return;
        }

        var request = context.Request;
        if (request.ContentLength is 0 || (request.ContentLength is null && string.IsNullOrEmpty(request.ContentType) && !request.Headers.ContainsKey("Transfer-Encoding")))
        {
            // No body at all: the route's message with nothing set (its own checks name what is missing).
            request.Body = new MemoryStream("{}"u8.ToArray());
            request.ContentLength = 2;
            request.ContentType = "application/json";
            await next(context);
            return;
        }

        var message = rule.HttpRule.Body == "*"
            ? rule.MethodDescriptor.InputType
            : rule.MethodDescriptor.InputType.FindFieldByName(rule.HttpRule.Body)?.MessageType;
        if (message is null || request.ContentLength > MaxCheckedBytes)
        {
            await next(context);
            return;
        }

        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, context.RequestAborted);
        var bytes = buffer.ToArray();
        IReadOnlyList<FieldViolation> violations;
        try
        {
            using var document = JsonDocument.Parse(bytes);
            violations = JsonRequestCheck.Check(message, document.RootElement, rule.HttpRule.Body == "*" ? string.Empty : FieldJsonName(rule));
        }
        catch (JsonException ex)
        {
            violations = [new FieldViolation("body", $"not JSON: {ex.Message}")];
        }

        if (violations.Count > 0)
        {
            await RefuseAsync(context, violations);
            return;
        }

        request.Body = new MemoryStream(bytes);
        request.ContentLength = bytes.Length;
        await next(context);
    });

    private static string FieldJsonName(GrpcJsonTranscodingMetadata rule) =>
        rule.MethodDescriptor.InputType.FindFieldByName(rule.HttpRule.Body)?.JsonName ?? rule.HttpRule.Body;

    private static async Task RefuseAsync(HttpContext context, IReadOnlyList<FieldViolation> violations)
    {
        var status = new Google.Rpc.Status
        {
            Code = (int)StatusCode.InvalidArgument,
            Message = string.Join("; ", violations),
            Details =
            {
                Any.Pack(new BadRequest
                {
                    FieldViolations = { violations.Select(v => new BadRequest.Types.FieldViolation { Field = v.Field, Description = v.Description }) },
                }),
            },
        };
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(Formatter.Format(status), context.RequestAborted);
    }
}
