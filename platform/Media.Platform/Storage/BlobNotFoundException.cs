namespace Media.Platform.Storage;

public sealed class BlobNotFoundException : Exception
{
    public BlobNotFoundException(string key)
        : base($"No object is stored under '{key}'.")
    {
        Key = key;
    }

    public string Key { get; }
}
