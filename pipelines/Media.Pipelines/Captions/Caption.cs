using Media.Pipelines.Speech;

namespace Media.Pipelines.Captions;

/// <summary>One caption on screen: when, and its words by line.</summary>
public sealed record Caption(double Start, double End, IReadOnlyList<IReadOnlyList<Word>> Lines)
{
    public IEnumerable<Word> Words => Lines.SelectMany(l => l);

    public string Text => string.Join('\n', Lines.Select(l => string.Join(' ', l.Select(w => w.Text))));
}
