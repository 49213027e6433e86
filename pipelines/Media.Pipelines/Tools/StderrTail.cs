namespace Media.Pipelines.Tools;

/// <summary>Keeps the last lines a tool wrote to stderr: enough to explain a failure, bounded in memory.</summary>
public sealed class StderrTail(int maxLines = 40, int maxLineLength = 500)
{
    private readonly Queue<string> _lines = new();
    private readonly Lock _gate = new();

    public void Add(string line)
    {
        if (line.Length > maxLineLength)
        {
            line = line[..maxLineLength] + "…";
        }

        lock (_gate)
        {
            _lines.Enqueue(line);
            while (_lines.Count > maxLines)
            {
                _lines.Dequeue();
            }
        }
    }

    public override string ToString()
    {
        lock (_gate)
        {
            return string.Join('\n', _lines);
        }
    }
}
