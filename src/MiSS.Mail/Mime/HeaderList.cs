using System.Collections;

namespace MiSS.Mail.Mime;

/// <summary>An ordered list of header fields with case-insensitive name lookup.</summary>
public sealed class HeaderList : IEnumerable<Header>
{
    private readonly List<Header> _headers = [];

    /// <summary>Number of fields.</summary>
    public int Count => _headers.Count;

    /// <summary>The raw value of the first field with this name, or null.</summary>
    public string? this[string name]
    {
        get
        {
            foreach (var h in _headers)
            {
                if (Is(h, name))
                    return h.Value;
            }
            return null;
        }
    }

    /// <summary>Appends a field.</summary>
    public void Add(string name, string value) => _headers.Add(new Header(name, value));

    /// <summary>Appends a field.</summary>
    public void Add(Header header)
    {
        ArgumentNullException.ThrowIfNull(header);
        _headers.Add(header);
    }

    /// <summary>Replaces all fields of that name by one, at the position of the first (or appends).</summary>
    public void Set(string name, string value)
    {
        var header = new Header(name, value);
        var index = _headers.FindIndex(h => Is(h, name));
        if (index < 0)
        {
            _headers.Add(header);
            return;
        }
        _headers[index] = header;
        for (var i = _headers.Count - 1; i > index; i--)
        {
            if (Is(_headers[i], name))
                _headers.RemoveAt(i);
        }
    }

    /// <summary>Removes all fields of that name; true if any was removed.</summary>
    public bool Remove(string name) => _headers.RemoveAll(h => Is(h, name)) > 0;

    /// <summary>Raw values of all fields of that name, in order.</summary>
    public IEnumerable<string> GetAll(string name)
    {
        foreach (var h in _headers)
        {
            if (Is(h, name))
                yield return h.Value;
        }
    }

    /// <summary>True when a field of that name exists.</summary>
    public bool Contains(string name) => _headers.Exists(h => Is(h, name));

    /// <inheritdoc/>
    public IEnumerator<Header> GetEnumerator() => _headers.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private static bool Is(Header h, string name) => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase);
}
