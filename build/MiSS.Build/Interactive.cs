using System.Diagnostics;

namespace MiSS.Build;

/// <summary>Runs a program with its output going straight to this console.</summary>
static class Interactive
{
    public static async Task<int> RunAsync(string fileName, IEnumerable<string> arguments, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(fileName) { UseShellExecute = false, WorkingDirectory = workingDirectory ?? Repository.Root };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {fileName}");
        await process.WaitForExitAsync();
        return process.ExitCode;
    }
}
