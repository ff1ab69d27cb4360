using Microsoft.Extensions.Configuration;
using MiSS.Core.Configuration;

namespace MiSS.Service.Hosting;

/// <summary>Reads an instance's configuration: appsettings.json, then the file given with --config, then the environment.</summary>
public static class MissConfiguration
{
    /// <summary>Adds the configuration sources of MiSS, in order of precedence (last wins).</summary>
    public static IConfigurationBuilder AddMissSources(this IConfigurationBuilder builder, string? configFile)
    {
        builder.AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true);
        if (configFile is not null)
        {
            builder.AddJsonFile(Path.GetFullPath(configFile), optional: false);
        }
        return builder.AddEnvironmentVariables();
    }

    /// <summary>Binds and validates the options; throws with every missing setting named.</summary>
    public static MissOptions Bind(IConfiguration configuration)
    {
        var options = configuration.GetSection(MissOptions.Section).Get<MissOptions>() ?? new MissOptions();
        var missing = new List<string>();
        void Require(string value, string name)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                missing.Add(name);
            }
        }
        Require(options.Mailbox.Address, "MiSS:Mailbox:Address");
        Require(options.Imap.Host, "MiSS:Imap:Host");
        Require(options.Smtp.Host, "MiSS:Smtp:Host");
        Require(options.Certificate.Path, "MiSS:Certificate:Path");
        Require(options.Trust.AnchorsPath, "MiSS:Trust:AnchorsPath");
        if (missing.Count > 0)
        {
            throw new InvalidOperationException("Missing configuration: " + string.Join(", ", missing));
        }
        return options;
    }
}
