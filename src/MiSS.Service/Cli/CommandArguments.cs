namespace MiSS.Service.Cli;

/// <summary>A parsed command line: the command, its --name value options (repeatable) and positional arguments.</summary>
public sealed class CommandArguments
{
    readonly Dictionary<string, List<string>> _options = new(StringComparer.Ordinal);

    /// <summary>The command (the first argument that is not an option); "run" when there is none.</summary>
    public string Command { get; private set; } = "run";

    /// <summary>Arguments after the command that are not options.</summary>
    public List<string> Positional { get; } = [];

    /// <summary>Parses <c>command [positional...] [--name value...]</c>.</summary>
    public static CommandArguments Parse(IReadOnlyList<string> args)
    {
        var parsed = new CommandArguments();
        var commandSeen = false;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg.StartsWith("--", StringComparison.Ordinal) && arg.Length > 2 && arg is not "--help")
            {
                if (i + 1 >= args.Count)
                {
                    throw new ArgumentException($"l'option {arg} attend une valeur");
                }
                var name = arg[2..];
                if (!parsed._options.TryGetValue(name, out var values))
                {
                    parsed._options[name] = values = [];
                }
                values.Add(args[++i]);
            }
            else if (!commandSeen)
            {
                parsed.Command = arg;
                commandSeen = true;
            }
            else
            {
                parsed.Positional.Add(arg);
            }
        }
        return parsed;
    }

    /// <summary>The last value of an option, or null.</summary>
    public string? Option(string name) => _options.TryGetValue(name, out var values) ? values[^1] : null;

    /// <summary>Every value of a repeatable option.</summary>
    public IReadOnlyList<string> Options(string name) => _options.TryGetValue(name, out var values) ? values : [];

    /// <summary>A duration written as a number and a unit: "90m", "12h", "7j" (or "7d"); null when unreadable.</summary>
    public static TimeSpan? ParseDuration(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Length < 2 ||
            !int.TryParse(text.AsSpan(0, text.Length - 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n))
        {
            return null;
        }
        return char.ToLowerInvariant(text[^1]) switch
        {
            'm' => TimeSpan.FromMinutes(n),
            'h' => TimeSpan.FromHours(n),
            'j' or 'd' => TimeSpan.FromDays(n),
            _ => null,
        };
    }
}
