using MiSS.Core.Audit;
using MiSS.Core.Configuration;
using MiSS.Core.Conversations;
using MiSS.Core.Events;
using MiSS.Core.Expiry;
using MiSS.Core.Incoming;
using MiSS.Core.Messaging;
using MiSS.Core.Outgoing;
using MiSS.Core.PractitionerDirectory;
using MiSS.Core.Secure;
using MiSS.Core.Storage;
using MiSS.Core.TrustRefresh;
using Quartz;

namespace MiSS.Service.Hosting;

/// <summary>Wires the services of one MiSS instance.</summary>
public static class MissServices
{
    /// <summary>
    /// Registers the whole service: the store and conversations, S/MIME, the outbox sender, the inbox watcher and the
    /// expiry scheduler. <paramref name="time"/> is the clock of all of them (tests move it).
    /// </summary>
    public static IServiceCollection AddMiss(this IServiceCollection services, MissOptions options, TimeProvider? time = null)
    {
        time ??= TimeProvider.System;
        services.AddMissStore(options, time);
        services.AddSingleton<ReportHandler>();
        services.AddSingleton(_ => options.Attachments.Policy());
        services.AddSingleton(_ => new OwnCertificate(options.Certificate.Load()));
        services.AddSingleton(sp => new SmimeSeal(sp.GetRequiredService<SmimeTrust>(), time));
        services.AddSingleton(sp => new SmimeOpener(sp.GetRequiredService<SmimeTrust>(), sp.GetRequiredService<OwnCertificate>().Certificate));
        services.AddSingleton(sp => new RecipientCertificates(sp.GetRequiredService<MessageStore>(), sp.GetRequiredService<SmimeTrust>(),
            options.Trust.CertificatesDirectory));
        services.AddSingleton(_ => new MessageComposer(options.ProductReference));
        services.AddSingleton(sp => new CorrespondentNames(sp.GetRequiredService<DirectoryStore>(), sp.GetRequiredService<MessageStore>(),
            sp.GetRequiredService<SmimeTrust>()));
        services.AddSingleton(sp => new ConversationRouter(sp.GetRequiredService<ConversationStore>(), sp.GetRequiredService<MessageStore>(),
            options.Mailbox.Address, options.Retention.Default));
        services.AddSingleton<MessageIntake>();
        services.AddSingleton<InboxStatus>();
        services.AddSingleton<ServerCopyEraser>();
        services.AddSingleton<ExpiryRunner>();
        services.AddTransient<ExpiryJob>();
        services.AddSingleton<ExpiryScheduler>();
        services.AddQuartz(quartz => quartz.UseTimeProvider(time));
        services.AddQuartzHostedService(quartz => quartz.WaitForJobsToComplete = true);
        services.AddHostedService<OutboxSender>();
        services.AddHostedService<InboxWatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<ExpiryScheduler>());
        services.AddSingleton<TrustRefreshStatus>();
        if (TrustRefresher.IsConfigured(options))
        {
            // Downloads the CRLs and the white list at start and every MiSS:Trust:RefreshInterval (docs/security.md).
            services.AddHostedService(sp => new TrustRefresher(options, sp.GetRequiredService<SmimeTrust>(),
                sp.GetRequiredService<MiSS.Core.Trust.TrustSpace>(), sp.GetRequiredService<TrustRefreshStatus>(), time,
                sp.GetRequiredService<ILogger<TrustRefresher>>()));
        }
        if (DirectoryRefresher.IsConfigured(options))
        {
            // Downloads the national directory at start and every MiSS:Directory:RefreshInterval (docs/security.md).
            services.AddHostedService(sp => new DirectoryRefresher(options, sp.GetRequiredService<DirectoryStore>(),
                sp.GetRequiredService<MessageStore>(), sp.GetRequiredService<TrustRefreshStatus>(), time,
                sp.GetRequiredService<ILogger<DirectoryRefresher>>()));
        }
        return services;
    }

    /// <summary>
    /// Registers what works on the store alone: messages, conversations and their expiry, the audit trail. The command line uses only
    /// this; the running service (or the expiry sweep) does the sending and erasing.
    /// </summary>
    public static IServiceCollection AddMissStore(this IServiceCollection services, MissOptions options, TimeProvider time)
    {
        options.ApplyTransportProfile(); // the profile's defaults, before anything reads the endpoints or limits
        services.AddSingleton(options);
        services.AddSingleton(time);
        services.AddSingleton(_ => StoreDatabase.Open(options.StorePath));
        services.AddSingleton(_ => BlobStore.Open(options.DataDirectory));
        services.AddSingleton(sp => new AuditTrail(sp.GetRequiredService<StoreDatabase>(), time));
        // The anchors are read when first needed: by the service, or by a command that checks a certificate.
        services.AddSingleton(_ => SmimeTrust.FromPemFiles(options.Trust.AnchorsPath, options.Trust.IntermediatesPath, options.Trust.RevocationMode,
            time, options.Trust.CrlPaths));
        // The directory's own file; opened after the store, whose migration 12 may have just filled it from an older miss.db.
        services.AddSingleton(sp => { sp.GetRequiredService<StoreDatabase>(); return DirectoryStore.Open(options.DirectoryPath); });
        services.AddSingleton(sp => new MessageStore(sp.GetRequiredService<StoreDatabase>(), sp.GetRequiredService<BlobStore>(), time));
        services.AddSingleton(sp => new ConversationStore(sp.GetRequiredService<StoreDatabase>(), time));
        services.AddSingleton(sp => new ExpiryStore(sp.GetRequiredService<StoreDatabase>(), sp.GetRequiredService<BlobStore>(), time));
        // The trust space is read at start: a white list file that cannot be used stops the service with its reason. The
        // last good downloaded copy, when there is one, takes over (the command line sees it too).
        services.AddSingleton(_ => TrustRefresher.WithKeptWhiteList(MiSS.Core.Trust.TrustSpace.From(options.TrustSpace), options));
        services.AddSingleton<OutboxSignal>();
        services.AddSingleton<ExpirySignal>();
        services.AddSingleton<MissEvents>();
        services.AddSingleton(sp => new ApiTokenStore(sp.GetRequiredService<StoreDatabase>(), sp.GetRequiredService<AuditTrail>(), time));
        services.AddSingleton(sp => new ConversationService(sp.GetRequiredService<ConversationStore>(), sp.GetRequiredService<MessageStore>(),
            sp.GetRequiredService<ExpiryStore>(), sp.GetRequiredService<OutboxSignal>(), sp.GetRequiredService<ExpirySignal>(),
            sp.GetRequiredService<MissEvents>(), sp.GetRequiredService<AuditTrail>(), options.Mailbox.Address, options.Retention.Default,
            sp.GetRequiredService<MiSS.Core.Trust.TrustSpace>(), time,
            // The running service checks certificates before queueing; the store-only command line leaves it to the outbox.
            sp.GetService<RecipientCertificates>(), options.Security.AllowTransportOnly));
        return services;
    }
}
