using Quartz;

namespace MiSS.Core.Expiry;

/// <summary>The Quartz job behind every expiry trigger; one run at a time, since each run erases everything due.</summary>
[DisallowConcurrentExecution]
public sealed class ExpiryJob(ExpiryRunner runner) : IJob
{
    /// <summary>The job's key.</summary>
    public static readonly JobKey Key = new("expiry", "miss");

    /// <inheritdoc />
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        await runner.RunAsync(cancellationToken);
}
