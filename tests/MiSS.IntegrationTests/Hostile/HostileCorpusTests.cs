using MiSS.Core.Messaging;
using MiSS.Core.Secure;
using MailKit;
using static MiSS.IntegrationTests.Practitioners;

namespace MiSS.IntegrationTests.Hostile;

/// <summary>
/// The hostile corpus dropped straight into a mailbox (doveadm save) while MiSS watches it: the service keeps running,
/// nothing is shown as verified that should not be, and every message is quarantined with its reason, or taken once,
/// or shown with its dangerous attachment defused.
/// </summary>
public class HostileCorpusTests
{
    static readonly char[] Unsafe = ['/', '\\', '\u202E', '\u202D', '\u200F', '\0'];

    [SetUp]
    public Task StartFromEmptyInboxes() => MailServerFixture.EmptyInboxesAsync();

    static async Task<uint> UidNextAsync()
    {
        using var imap = await MailServerFixture.OpenImapAsync(Julien);
        await imap.Inbox.OpenAsync(FolderAccess.ReadOnly);
        return imap.Inbox.UidNext?.Id ?? 1;
    }

    [Test]
    public async Task Every_hostile_message_is_quarantined_with_its_reason_or_defused_and_the_service_keeps_going()
    {
        var corpus = new HostileCorpus(MailServerFixture.Pki, Claire, Julien);
        var messages = corpus.Generate();
        Assert.That(messages, Has.Count.GreaterThanOrEqualTo(150));
        var output = Directory.CreateDirectory(Path.Combine(TestContext.CurrentContext.WorkDirectory, "hostile-corpus")).FullName;
        foreach (var message in messages)
        {
            await File.WriteAllBytesAsync(Path.Combine(output, message.FileName), message.Raw);
        }
        // Julien's revocation list revokes the corpus's "revoked" signers.
        var crl = Path.Combine(output, "revocations.crl");
        await File.WriteAllBytesAsync(crl, MailServerFixture.Pki.BuildPersonsCrl(corpus.Revoked, DateTimeOffset.UtcNow));
        var options = MissInstance.OptionsFor(Julien);
        options.Trust.CrlPaths = [MailServerFixture.Pki.RootCrlPath, crl];
        options.Attachments.Profile = "Apicrypt"; // the smaller limits: 20 MiB taken at most
        await using var julien = await MissInstance.StartAsync(Julien, options);

        var first = await UidNextAsync();
        foreach (var message in messages)
        {
            await MailServerFixture.Server.DeliverRawAsync(Julien.Address, message.Raw);
        }
        var last = first + (uint)messages.Count - 1;
        await TestWait.ForAsync(async () => await julien.Store.GetMailboxPositionAsync("INBOX") is { LastUid: var uid } && uid >= last ? "done" : null,
            TimeSpan.FromMinutes(5), "the watcher through the whole corpus");

        var quarantine = (await julien.Store.ListQuarantineAsync()).ToDictionary(q => q.Uid);
        var stored = await julien.Store.ListAsync(100_000);
        var genuine = messages.Where(m => m.Outcome != HostileOutcome.Quarantined).Select(m => m.MessageId).ToHashSet();
        var outcomes = messages.GroupBy(m => m.Outcome).ToDictionary(g => g.Key, g => g.Count());
        Assert.Multiple(async () =>
        {
            for (var i = 0; i < messages.Count; i++)
            {
                var message = messages[i];
                var uid = first + (uint)i;
                switch (message.Outcome)
                {
                    case HostileOutcome.Quarantined:
                        if (!quarantine.TryGetValue(uid, out var kept))
                        {
                            Assert.Fail($"{message.FileName} (UID {uid}) is not in quarantine");
                            break;
                        }
                        Assert.That(kept.Reason, Is.AnyOf(message.Reasons.ToArray()), $"{message.FileName}: {kept.Reason} — {kept.Detail}");
                        Assert.That(kept.Detail, Is.Not.Empty);
                        if (message.MessageId is { Length: < 200 } id)
                        {
                            Assert.That(await julien.Store.GetAsync(id), Is.Null, $"{message.FileName} was stored");
                        }
                        break;
                    case HostileOutcome.QuarantinedOrIntact:
                        if (quarantine.TryGetValue(uid, out var apart) && apart is not null)
                        {
                            Assert.That(apart.Reason, Is.AnyOf(message.Reasons.ToArray()), $"{message.FileName}: {apart.Reason} — {apart.Detail}");
                        }
                        else
                        {
                            var intact = await julien.Store.GetAsync(message.MessageId!);
                            Assert.That(intact?.Signature?.IsVerified, Is.True, $"{message.FileName}: neither quarantined nor verified");
                            Assert.That(intact?.Body, Is.EqualTo(message.GenuineText), $"{message.FileName}: shown verified with altered text");
                        }
                        break;
                    case HostileOutcome.StoredOnce:
                        Assert.That(stored.Count(m => m.MessageId == message.MessageId), Is.EqualTo(1), $"{message.FileName}: stored exactly once");
                        break;
                    case HostileOutcome.AttachmentDefused:
                        var shown = await julien.Store.GetAsync(message.MessageId!);
                        Assert.That(shown?.Signature?.IsVerified, Is.True, $"{message.FileName}: a genuine message is shown");
                        foreach (var attachment in shown is null ? [] : await julien.Store.AttachmentsAsync(shown.Id))
                        {
                            Assert.That(attachment.IsRefused || (attachment.FileName.IndexOfAny(Unsafe) < 0 && !attachment.FileName.StartsWith('.')
                                        && attachment.MediaType is not ("text/html" or "image/svg+xml" or "application/x-executable" or "application/zip")),
                                Is.True, $"{message.FileName}: {attachment.FileName} ({attachment.MediaType}) kept as is");
                            Assert.That(!attachment.IsRefused || attachment.RefusedReason!.Length > 0, Is.True);
                        }
                        break;
                }
            }
        });

        // Nothing verified that is not genuine, and the replays' first content won.
        Assert.That(stored.Where(m => m.Signature?.IsVerified == true).Select(m => m.MessageId), Is.SubsetOf(genuine));
        Assert.That(stored.Where(m => m.Signature?.Status == OpenStatus.Verified && m.Body.StartsWith("Contenu substitué", StringComparison.Ordinal)), Is.Empty);
        Assert.That(quarantine.Values.Select(q => q.Reason).Distinct(), Is.SupersetOf(new[]
        {
            "Malformed", "SignatureInvalid", "DecryptionFailed", "UntrustedSigner", "SignerRevoked", "SignerAddressMismatch", "Oversized",
        }));

        // Still running: a genuine message sent now arrives, verified.
        await using var claire = await MissInstance.StartAsync(Claire);
        var after = await claire.SendDirectAsync(Julien, "Toujours là ?");
        var received = await TestWait.ForAsync(() => julien.Store.GetAsync(after.MessageId), TimeSpan.FromSeconds(60), "a message after the corpus");
        Assert.That(received.Signature!.IsVerified, Is.True);
        TestContext.Out.WriteLine($"{messages.Count} hostile messages ({string.Join(", ", outcomes.Select(o => $"{o.Key} {o.Value}"))}): {quarantine.Count} quarantined, " +
                                  string.Join(", ", quarantine.Values.GroupBy(q => q.Reason).Select(g => $"{g.Key} {g.Count()}")));
    }
}
