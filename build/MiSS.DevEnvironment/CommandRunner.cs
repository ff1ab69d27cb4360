using System.Diagnostics;

namespace MiSS.DevEnvironment;

/// <summary>What a finished external command returned.</summary>
public sealed record CommandResult(int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>True when the command exited with 0.</summary>
    public bool Succeeded => ExitCode == 0;
}

/// <summary>Runs external programs (apt, dovecot, postfix, openssl) with their output captured.</summary>
public static class CommandRunner
{
    /// <summary>Runs a program to completion; never throws for a non-zero exit (see <see cref="RunCheckedAsync"/>).</summary>
    public static async Task<CommandResult> RunAsync(string fileName, IEnumerable<string> arguments,
        byte[]? standardInput = null, IDictionary<string, string>? environment = null, CancellationToken ct = default)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {fileName}");
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        if (standardInput is not null)
        {
            await process.StandardInput.BaseStream.WriteAsync(standardInput, ct);
        }
        process.StandardInput.Close();
        await process.WaitForExitAsync(ct);
        return new CommandResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Runs a program and throws with its output when it fails.</summary>
    public static async Task<CommandResult> RunCheckedAsync(string fileName, IEnumerable<string> arguments,
        byte[]? standardInput = null, IDictionary<string, string>? environment = null, CancellationToken ct = default)
    {
        var args = arguments.ToList();
        var result = await RunAsync(fileName, args, standardInput, environment, ct);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(
                $"{fileName} {string.Join(' ', args)} exited with {result.ExitCode}: {result.StandardError.Trim()} {result.StandardOutput.Trim()}".Trim());
        }
        return result;
    }

    /// <summary>
    /// Runs a program that starts a daemon. The daemon inherits the standard streams, so they go to a log file:
    /// a captured pipe would stay open as long as the daemon lives.
    /// </summary>
    public static Task<CommandResult> RunDaemonStarterAsync(string fileName, IEnumerable<string> arguments, string logPath,
        CancellationToken ct = default)
    {
        static string Quote(string s) => "'" + s.Replace("'", "'\\''") + "'";
        var command = $"exec {Quote(fileName)} {string.Join(' ', arguments.Select(Quote))} </dev/null >>{Quote(logPath)} 2>&1";
        return RunCheckedAsync("/bin/sh", ["-c", command], ct: ct);
    }

    /// <summary>True when a program of that name is on the PATH (or is an existing path).</summary>
    public static bool IsOnPath(string program) =>
        File.Exists(program) ||
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Concat(["/usr/sbin", "/sbin"])
            .Any(dir => File.Exists(Path.Combine(dir, program)));
}
