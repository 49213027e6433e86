using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Media.Platform.Storage;
using Microsoft.Extensions.Logging;

namespace Media.JobApi.Errors;

/// <summary>
/// The one place domain errors become gRPC statuses. Validation errors carry google.rpc.BadRequest details
/// (field + reason) in the grpc-status-details-bin trailer; unexpected errors become Internal without
/// leaking internals, and are logged.
/// </summary>
public sealed class ErrorMappingInterceptor(ILogger<ErrorMappingInterceptor> logger) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (Exception ex) when (ex is not RpcException)
        {
            throw Map(ex, context);
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(requestStream, context);
        }
        catch (Exception ex) when (ex is not RpcException)
        {
            throw Map(ex, context);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (Exception ex) when (ex is not RpcException)
        {
            throw Map(ex, context);
        }
    }

    private RpcException Map(Exception exception, ServerCallContext context)
    {
        var status = exception switch
        {
            RequestValidationException validation => new Google.Rpc.Status
            {
                Code = (int)Code.InvalidArgument,
                Message = validation.Message,
                Details =
                {
                    Any.Pack(new BadRequest
                    {
                        FieldViolations = { validation.Violations.Select(v => new BadRequest.Types.FieldViolation { Field = v.Field, Description = v.Description }) },
                    }),
                },
            },
            ResourceNotFoundException notFound => new Google.Rpc.Status
            {
                Code = (int)Code.NotFound,
                Message = notFound.Message,
                Details = { Any.Pack(new ResourceInfo { ResourceType = notFound.ResourceType, ResourceName = notFound.Id }) },
            },
            BlobNotFoundException blob => new Google.Rpc.Status { Code = (int)Code.NotFound, Message = blob.Message },
            QuotaExceededException quota => new Google.Rpc.Status
            {
                Code = (int)Code.ResourceExhausted,
                Message = quota.Message,
                Details = { Any.Pack(new QuotaFailure { Violations = { new QuotaFailure.Types.Violation { Subject = quota.Limit, Description = quota.Message } } }) },
            },
            Store.ConcurrentChangeException changed => new Google.Rpc.Status
            {
                Code = (int)Code.Aborted,
                Message = changed.Message,
                Details = { Any.Pack(new ErrorInfo { Reason = "CONCURRENT_CHANGE", Domain = "media.farm" }) },
            },
            ConflictException conflict => new Google.Rpc.Status
            {
                Code = (int)Code.AlreadyExists,
                Message = conflict.Message,
                Details =
                {
                    Any.Pack(new ErrorInfo { Reason = conflict.Reason, Domain = "media.farm", Metadata = { conflict.Metadata.ToDictionary() } }),
                    Any.Pack(new ResourceInfo { ResourceType = conflict.ResourceType, ResourceName = conflict.ResourceName, Description = conflict.Message }),
                },
            },
            PreconditionFailedException precondition => new Google.Rpc.Status
            {
                Code = (int)Code.FailedPrecondition,
                Message = precondition.Message,
                Details =
                {
                    Any.Pack(new PreconditionFailure { Violations = { new PreconditionFailure.Types.Violation { Type = precondition.Reason, Subject = precondition.Subject, Description = precondition.Message } } }),
                    Any.Pack(new ErrorInfo { Reason = precondition.Reason, Domain = "media.farm", Metadata = { precondition.Metadata.ToDictionary() } }),
                },
            },
            OperationCanceledException when context.CancellationToken.IsCancellationRequested => new Google.Rpc.Status { Code = (int)Code.Cancelled, Message = "The call was cancelled." },
            _ => null,
        };

        if (status is null)
        {
            logger.LogError(exception, "Unhandled error in {Method}", context.Method);
            status = new Google.Rpc.Status { Code = (int)Code.Internal, Message = "Internal error; see the server log." };
        }

        return status.ToRpcException();
    }
}
