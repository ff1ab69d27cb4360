using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MiSS.Core.Configuration;
using MiSS.Core.Storage;
using Quartz;

namespace MiSS.Core.Expiry;

/// <summary>
/// Keeps Quartz's expiry trigger on the next moment something is due, read from the store: at start (so a restart or
/// a crash skips nothing, and overdue erasures run at once) and whenever an expiry changes in this process. A sweep
/// every few seconds also catches changes written by other processes (the command line).
/// </summary>
public sealed class ExpiryScheduler(
    ISchedulerFactory schedulers,
    ExpiryStore store,
    ExpirySignal signal,
    MissOptions options,
    TimeProvider time,
    ILogger<ExpiryScheduler> logger) : BackgroundService
{
    /// <summary>How often the store is looked at even when nothing was signalled.</summary>
    public static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(5);

    static readonly TriggerKey Next = new("expiry-next", "miss");
    static readonly TriggerKey Sweep = new("expiry-sweep", "miss");

    /// <summary>When the expiry trigger fires next (null when nothing is pending): for status displays and tests.</summary>
    public DateTimeOffset? NextRun { get; private set; }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var scheduler = await schedulers.GetScheduler(stoppingToken);
        await scheduler.AddJob(JobBuilder.Create<ExpiryJob>().WithIdentity(ExpiryJob.Key).StoreDurably().Build(), AddJobOptions.Replacing, stoppingToken);
        await scheduler.UnscheduleJob(Sweep, stoppingToken);
        await scheduler.ScheduleJob(TriggerBuilder.Create(time).WithIdentity(Sweep).ForJob(ExpiryJob.Key)
            .StartAt(time.GetUtcNow() + SweepInterval)
            .WithSimpleSchedule(s => s.WithInterval(SweepInterval).RepeatForever())
            .Build(), cancellationToken: stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RescheduleAsync(scheduler, stoppingToken);
                await signal.WaitAsync(Timeout.InfiniteTimeSpan, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Expiry scheduling failed; trying again shortly");
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    async Task RescheduleAsync(IScheduler scheduler, CancellationToken ct)
    {
        var next = await store.NextDueAsync(options.Retention.Quarantine, ct);
        await scheduler.UnscheduleJob(Next, ct);
        NextRun = next;
        if (next is not { } at)
        {
            return;
        }
        var now = time.GetUtcNow();
        // Overdue (the service was stopped, or a member ended a conversation): fire now.
        await scheduler.ScheduleJob(TriggerBuilder.Create(time).WithIdentity(Next).ForJob(ExpiryJob.Key)
            .StartAt(at > now ? at : now).Build(), cancellationToken: ct);
        logger.LogDebug("Next expiry run at {At}", at);
    }
}
