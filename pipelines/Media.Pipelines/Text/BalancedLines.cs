namespace Media.Pipelines.Text;

/// <summary>
/// Splits a run of words into a given number of lines so that the longest line is as short as possible (words spread
/// evenly; on a tie the top line is the shorter, subtitling's bottom-heavy pyramid). Dynamic programming over the split
/// points: fine for the handful of words a caption or title holds.
/// </summary>
public static class BalancedLines
{
    /// <param name="width">The drawn width (or any size) of a line made of these items.</param>
    public static List<List<T>> Split<T>(IReadOnlyList<T> items, int lines, Func<IReadOnlyList<T>, double> width)
    {
        var n = items.Count;
        lines = Math.Clamp(lines, 1, Math.Max(1, n));
        var size = new double[n + 1, n + 1];
        for (var i = 0; i < n; i++)
        {
            for (var j = i + 1; j <= n; j++)
            {
                size[i, j] = width([.. items.Skip(i).Take(j - i)]);
            }
        }

        // best[k, j]: the longest line when the first j items make k lines; from[k, j]: where the k-th line starts.
        var best = new double[lines + 1, n + 1];
        var from = new int[lines + 1, n + 1];
        for (var k = 0; k <= lines; k++)
        {
            for (var j = 0; j <= n; j++)
            {
                best[k, j] = double.PositiveInfinity;
            }
        }

        best[0, 0] = 0;
        for (var k = 1; k <= lines; k++)
        {
            for (var j = k; j <= n; j++)
            {
                for (var i = k - 1; i < j; i++)
                {
                    var longest = Math.Max(best[k - 1, i], size[i, j]);
                    // Strictly better only: on a tie the earlier split stands, which keeps the top line shorter.
                    if (longest < best[k, j])
                    {
                        best[k, j] = longest;
                        from[k, j] = i;
                    }
                }
            }
        }

        var result = new List<List<T>>();
        for (int k = lines, end = n; k > 0 && end > 0; end = from[k, end], k--)
        {
            result.Insert(0, [.. items.Skip(from[k, end]).Take(end - from[k, end])]);
        }

        return result;
    }
}
