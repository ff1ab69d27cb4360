using System.Xml.Linq;
using MiSS.DevEnvironment;

namespace MiSS.Build;

/// <summary>Runs the whole test suite and prints one summary line of the counts.</summary>
static class TestCommand
{
    public static async Task<int> RunAsync(IReadOnlyList<string> extraArguments)
    {
        await SystemSetup.EnsureAsync(browser: true);
        DevPki.LoadOrCreate(Repository.CertsDev);
        var results = Path.Combine(Repository.RunDirectory, "test-results");
        if (Directory.Exists(results))
        {
            Directory.Delete(results, recursive: true);
        }
        string[] arguments =
        [
            "test", Repository.Solution, "-c", "Release",
            "--logger", "trx", "--logger", "console;verbosity=normal", "--results-directory", results,
            // A hung test must fail the run, not eat CI's time.
            "--blame-hang-timeout", "10m",
            .. extraArguments,
        ];
        var exitCode = await Interactive.RunAsync("dotnet", arguments);
        var (passed, failed, skipped) = CountResults(results);
        Console.WriteLine();
        Console.WriteLine($"{passed} passed, {failed} failed, {skipped} skipped");
        return exitCode != 0 ? exitCode : failed > 0 || passed == 0 ? 1 : 0;
    }

    static (int Passed, int Failed, int Skipped) CountResults(string directory)
    {
        int passed = 0, failed = 0, skipped = 0;
        if (!Directory.Exists(directory))
        {
            return (0, 0, 0);
        }
        foreach (var trx in Directory.EnumerateFiles(directory, "*.trx", SearchOption.AllDirectories))
        {
            var counters = XDocument.Load(trx).Descendants().FirstOrDefault(e => e.Name.LocalName == "Counters");
            if (counters is null)
            {
                continue;
            }
            int Read(string name) => int.TryParse(counters.Attribute(name)?.Value, out var n) ? n : 0;
            passed += Read("passed");
            failed += Read("failed") + Read("error") + Read("timeout") + Read("aborted");
            // Ignored tests are counted in total but not in executed.
            skipped += Read("total") - Read("executed");
        }
        return (passed, failed, skipped);
    }
}
