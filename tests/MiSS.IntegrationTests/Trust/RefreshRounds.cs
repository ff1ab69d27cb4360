using Microsoft.Extensions.Hosting;
using MiSS.Core.Tests;
using MiSS.Core.TrustRefresh;

namespace MiSS.IntegrationTests.Trust;

/// <summary>Drives a refresher (trust material or directory) round by round on a <see cref="ManualClock"/>.</summary>
public static class RefreshRounds
{
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>Starts <paramref name="refresher"/> and waits for its first round.</summary>
    public static async Task RunAsync(IHostedService refresher, TrustRefreshStatus status)
    {
        await refresher.StartAsync(CancellationToken.None);
        await TestWait.ForAsync(() => Task.FromResult(status.Rounds >= 1 ? status : null), Patience, "the first refresh round");
    }

    /// <summary>Moves the clock by <paramref name="interval"/> until the refresher has run one more round.</summary>
    public static async Task NextRoundAsync(TrustRefreshStatus status, ManualClock clock, TimeSpan interval)
    {
        var target = status.Rounds + 1;
        await TestWait.ForAsync(async () =>
        {
            clock.Advance(interval);
            await Task.Delay(20);
            return status.Rounds >= target ? status : null;
        }, Patience, "the next refresh round");
    }
}
