using Grpc.Core;
using Media.JobApi.Errors;
using Media.Protos.V1;

namespace Media.JobApi.Uploads;

/// <summary>
/// Presents the data chunks of an Upload call as a read-only stream, so the bytes flow straight into the
/// blob store (which hashes them) without a temporary copy. Captures the trailer; enforces the size limit.
/// </summary>
internal sealed class UploadChunkStream(IAsyncStreamReader<UploadRequest> requests, long maxBytes, string limitKey = "Media:JobApi:MaxUploadBytes") : Stream
{
    /// <summary>The largest data chunk (the documented 1 MiB; the client sends exactly that).</summary>
    public const int MaxChunkBytes = 1024 * 1024;

    private ReadOnlyMemory<byte> _current;
    private bool _ended;

    public UploadTrailer? Trailer { get; private set; }

    public long BytesRead { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => BytesRead;
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (_current.IsEmpty)
        {
            if (_ended || !await requests.MoveNext(cancellationToken))
            {
                _ended = true;
                return 0;
            }

            var message = requests.Current;
            switch (message.PartCase)
            {
                case UploadRequest.PartOneofCase.Data:
                    if (message.Data.Length > MaxChunkBytes)
                    {
                        throw new RequestValidationException("data", $"a data chunk is at most {MaxChunkBytes} bytes (1 MiB); this one has {message.Data.Length}");
                    }

                    _current = message.Data.Memory;
                    break;
                case UploadRequest.PartOneofCase.Trailer:
                    Trailer = message.Trailer;
                    _ended = true;
                    if (await requests.MoveNext(cancellationToken))
                    {
                        throw new RequestValidationException("trailer", "must be the last message of the upload");
                    }

                    return 0;
                case UploadRequest.PartOneofCase.Header:
                    throw new RequestValidationException("header", "may only be sent once, as the first message");
                default:
                    throw new RequestValidationException("part", "each message must carry header, data or trailer");
            }
        }

        var count = Math.Min(buffer.Length, _current.Length);
        _current[..count].CopyTo(buffer);
        _current = _current[count..];
        BytesRead += count;
        if (BytesRead > maxBytes)
        {
            throw new RequestValidationException("data", $"the upload is larger than the limit of {maxBytes} bytes ({limitKey})");
        }

        return count;
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("Use ReadAsync.");

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
