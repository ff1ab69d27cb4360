using MiSS.Core.Configuration;
using Serilog;
using Serilog.Events;

namespace MiSS.Service.Hosting;

/// <summary>
/// Serilog to the console and to daily files in the data folder. What is logged: Message-IDs, UIDs, states and reasons;
/// never message content, photos, patient identity or secrets (code review rule, see docs/security.md).
/// </summary>
public static class MissLogging
{
    const string Template = "{Timestamp:HH:mm:ss.fff} [{Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}";

    /// <summary>Builds the logger of an instance.</summary>
    public static Serilog.ILogger Create(IConfiguration configuration, MissOptions options) =>
        new LoggerConfiguration()
            .MinimumLevel.Information()
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .MinimumLevel.Override("Quartz", LogEventLevel.Warning)
            .ReadFrom.Configuration(configuration)
            .Enrich.FromLogContext()
            .WriteTo.Console(outputTemplate: Template, formatProvider: System.Globalization.CultureInfo.InvariantCulture)
            .WriteTo.File(Path.Combine(options.DataDirectory, "logs", "miss-.log"), outputTemplate: Template,
                rollingInterval: RollingInterval.Day, retainedFileCountLimit: 14, formatProvider: System.Globalization.CultureInfo.InvariantCulture)
            .CreateLogger();
}
