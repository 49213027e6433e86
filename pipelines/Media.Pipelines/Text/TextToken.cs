namespace Media.Pipelines.Text;

/// <summary>An unbreakable piece of a line (a word, or one CJK character) and whether a space follows it.</summary>
public sealed record TextToken(string Text, bool SpaceAfter)
{
    /// <summary>The word without punctuation, lower-cased: what emphasis lists match against.</summary>
    public string Key => new string(Text.Where(char.IsLetterOrDigit).ToArray()).ToLowerInvariant();
}
