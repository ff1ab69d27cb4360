using System.Diagnostics;
using MiSS.DevEnvironment;

namespace MiSS.IntegrationTests.Faults;

/// <summary>
/// A MiSS service as a process of its own (`miss run --config`), so that a test can kill it the hard way (SIGKILL) and
/// start it again on the same data.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    readonly string _config;
    readonly string _dataDirectory;
    Process _process;

    ServiceProcess(string config, string dataDirectory, int port, Process process)
    {
        _config = config;
        _dataDirectory = dataDirectory;
        Address = new Uri($"http://localhost:{port}");
        _process = process;
    }

    /// <summary>Its API.</summary>
    public Uri Address { get; }

    /// <summary>Writes the instance's settings file for <paramref name="p"/> and starts the service.</summary>
    public static async Task<ServiceProcess> StartAsync(DevPractitioner p)
    {
        var dataDirectory = Directory.CreateTempSubdirectory("miss-" + p.Id + "-").FullName;
        var port = LoopbackPorts.Free();
        var config = DevInstanceSettings.Write(MissInstance.SettingsFor(p, dataDirectory, port), dataDirectory);
        var service = new ServiceProcess(config, dataDirectory, port, Launch(config));
        await service.WaitReadyAsync();
        return service;
    }

    static Process Launch(string config)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "miss.dll"), "run", "--config", config])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start)!;
        // Drained so that the service never blocks on a full pipe; its log files hold what matters.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    async Task WaitReadyAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                Assert.Fail($"the service exited with {_process.ExitCode}; see {Path.Combine(_dataDirectory, "logs")}");
            }
            try
            {
                using var api = Api();
                if ((await api.GetAsync("/api/status")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or IOException or InvalidOperationException)
            {
                // Not listening yet, or no token yet.
            }
            await Task.Delay(100);
        }
        Assert.Fail("the service did not answer within 60 s");
    }

    /// <summary>A client of its API with the instance's token.</summary>
    public HttpClient Api()
    {
        var token = File.ReadAllText(Path.Combine(_dataDirectory, "api-token")).Trim();
        var http = new HttpClient { BaseAddress = Address };
        http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return http;
    }

    /// <summary>SIGKILL: no shutdown, no flush, nothing.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    /// <summary>Starts the service again on the same settings and data.</summary>
    public async Task RestartAsync()
    {
        _process.Dispose();
        _process = Launch(_config);
        await WaitReadyAsync();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        Directory.Delete(_dataDirectory, recursive: true);
    }
}
