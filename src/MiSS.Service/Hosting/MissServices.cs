using MiSS.Core.Configuration;
using MiSS.Core.Conversations;
using MiSS.Core.Incoming;
using MiSS.Core.Messaging;
using MiSS.Core.Outgoing;
using MiSS.Core.Secure;
using MiSS.Core.Storage;

namespace MiSS.Service.Hosting;

/// <summary>Wires the services of one MiSS instance.</summary>
public static class MissServices
{
    /// <summary>Registers the store, S/MIME, the outbox sender and the inbox watcher.</summary>
    public static IServiceCollection AddMiss(this IServiceCollection services, MissOptions options)
    {
        var time = TimeProvider.System;
        services.AddSingleton(options);
        services.AddSingleton(time);
        services.AddSingleton(_ => StoreDatabase.Open(options.StorePath));
        services.AddSingleton(_ => BlobStore.Open(options.DataDirectory));
        services.AddSingleton(sp => new MessageStore(sp.GetRequiredService<StoreDatabase>(), sp.GetRequiredService<BlobStore>(), time));
        services.AddSingleton(sp => new ConversationStore(sp.GetRequiredService<StoreDatabase>(), time));
        services.AddSingleton(sp => new ConversationRouter(sp.GetRequiredService<ConversationStore>(), sp.GetRequiredService<MessageStore>(),
            options.Mailbox.Address));
        services.AddSingleton(sp => new ConversationService(sp.GetRequiredService<ConversationStore>(), sp.GetRequiredService<MessageStore>(),
            sp.GetRequiredService<OutboxSignal>(), options.Mailbox.Address, time));
        services.AddSingleton<ReportHandler>();
        services.AddSingleton(_ => options.Attachments.Policy());
        services.AddSingleton(_ => SmimeTrust.FromPemFiles(options.Trust.AnchorsPath, options.Trust.IntermediatesPath, options.Trust.RevocationMode, time));
        services.AddSingleton(_ => new OwnCertificate(options.Certificate.Load()));
        services.AddSingleton(sp => new SmimeSeal(sp.GetRequiredService<SmimeTrust>(), time));
        services.AddSingleton(sp => new SmimeOpener(sp.GetRequiredService<SmimeTrust>(), sp.GetRequiredService<OwnCertificate>().Certificate));
        services.AddSingleton(sp => new RecipientCertificates(sp.GetRequiredService<MessageStore>(), sp.GetRequiredService<SmimeTrust>(),
            options.Trust.CertificatesDirectory));
        services.AddSingleton(_ => new MessageComposer(options.ProductReference));
        services.AddSingleton<OutboxSignal>();
        services.AddSingleton<MessageIntake>();
        services.AddSingleton<InboxStatus>();
        services.AddHostedService<OutboxSender>();
        services.AddHostedService<InboxWatcher>();
        return services;
    }
}
