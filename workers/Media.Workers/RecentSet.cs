namespace Media.Workers;

/// <summary>A set that remembers only the most recent <c>capacity</c> items (cancelled job ids).</summary>
public sealed class RecentSet(int capacity)
{
    private readonly HashSet<string> _items = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();
    private readonly Lock _gate = new();

    public void Add(string item)
    {
        lock (_gate)
        {
            if (!_items.Add(item))
            {
                return;
            }

            _order.Enqueue(item);
            while (_order.Count > capacity)
            {
                _items.Remove(_order.Dequeue());
            }
        }
    }

    public bool Contains(string item)
    {
        lock (_gate)
        {
            return _items.Contains(item);
        }
    }
}
