using System.Collections;

namespace MiSS.Mail.Mime;

/// <summary>Ordered parameters with case-insensitive names; values are decoded (RFC 2231 and RFC 2047).</summary>
public sealed class ParameterList : IEnumerable<Parameter>
{
    private readonly List<Parameter> _items = [];

    internal event Action? Changed;

    /// <summary>Number of parameters.</summary>
    public int Count => _items.Count;

    /// <summary>The value of the named parameter, or null; setting null removes it, setting a value replaces it in place or appends.</summary>
    public string? this[string name]
    {
        get => _items.Find(p => Is(p, name))?.Value;
        set
        {
            if (value is null)
            {
                Remove(name);
                return;
            }
            CheckName(name);
            var index = _items.FindIndex(p => Is(p, name));
            if (index >= 0)
                _items[index] = _items[index] with { Value = value };
            else
                _items.Add(new Parameter(name, value));
            Changed?.Invoke();
        }
    }

    /// <summary>Sets a parameter (see the indexer).</summary>
    public void Add(string name, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        this[name] = value;
    }

    /// <summary>True when the parameter exists.</summary>
    public bool Contains(string name) => _items.Exists(p => Is(p, name));

    /// <summary>Removes the parameter; true if it existed.</summary>
    public bool Remove(string name)
    {
        if (_items.RemoveAll(p => Is(p, name)) == 0)
            return false;
        Changed?.Invoke();
        return true;
    }

    // Used by the parser: no validation, no change notification.
    internal void AddParsed(string name, string value) => _items.Add(new Parameter(name, value));

    internal void ReplaceParsed(string name, string value)
    {
        var index = _items.FindIndex(p => Is(p, name));
        if (index >= 0)
            _items[index] = new Parameter(_items[index].Name, value);
        else
            _items.Add(new Parameter(name, value));
    }

    /// <summary>
    /// Parses a bare parameter list (<c>name=value; name="quoted"; name*=utf-8''...</c>), as header fields built on
    /// RFC 2045/2231 parameters carry it. Never throws: junk is skipped.
    /// </summary>
    public static ParameterList Parse(string text) => ParameterCodec.Parse(text, 0);

    /// <summary>The list in header form (<c>name=value; ...</c>): tokens as is, quoted when needed, non-ASCII RFC 2231-encoded.</summary>
    public string ToHeaderValue()
    {
        var text = new System.Text.StringBuilder();
        foreach (var parameter in _items)
        {
            ParameterCodec.Append(text, parameter.Name, parameter.Value);
        }
        return text.Length > 2 ? text.ToString(2, text.Length - 2) : "";
    }

    /// <inheritdoc/>
    public IEnumerator<Parameter> GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    // A token without '*' (which RFC 2231 reserves), so formatting cannot be subverted.
    private static void CheckName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!MimeSyntax.IsToken(name) || name.Contains('*', StringComparison.Ordinal))
            throw new ArgumentException($"Invalid parameter name '{name}'.", nameof(name));
    }

    private static bool Is(Parameter p, string name) => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase);
}
