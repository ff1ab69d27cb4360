using MiSS.Core.Conversations;
using MiSS.Core.Messaging;
using MiSS.DevEnvironment;
using static MiSS.IntegrationTests.Practitioners;

namespace MiSS.IntegrationTests;

/// <summary>Conversations across the real mail server: threads, groups and their members, receipts, failures.</summary>
public class ConversationTests
{
    [SetUp]
    public Task StartFromEmptyInboxes() => MailServerFixture.EmptyInboxesAsync();

    static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Test]
    public async Task A_direct_conversation_with_replies_both_ways_is_one_thread_on_both_sides()
    {
        await using var claire = await MissInstance.StartAsync(Claire);
        await using var julien = await MissInstance.StartAsync(Julien);

        var question = await claire.SendDirectAsync(Julien, "Pouvez-vous passer voir Mme D. demain ?");
        var atJulien = await TestWait.ForAsync(() => julien.Store.GetAsync(question.MessageId), Patience, "the question at Julien's");
        var reply = await julien.Conversations.SendTextAsync(atJulien.Conversation!.Value, "Oui, vers 9 h.");
        var atClaire = await TestWait.ForAsync(() => claire.Store.GetAsync(reply.MessageId), Patience, "the reply at Claire's");
        var followUp = await claire.Conversations.SendTextAsync(atClaire.Conversation!.Value, "Merci !");
        await TestWait.ForAsync(() => julien.Store.GetAsync(followUp.MessageId), Patience, "the follow-up at Julien's");

        Assert.That(atClaire.Conversation, Is.EqualTo(question.Conversation), "the reply lands in Claire's conversation");
        Assert.That(atClaire.InReplyTo, Is.EqualTo(question.MessageId));
        Assert.That(atClaire.Signature!.IsVerified, Is.True);
        var claireThread = await claire.Store.ListConversationAsync(question.Conversation!.Value);
        var julienThread = await julien.Store.ListConversationAsync(atJulien.Conversation!.Value);
        Assert.That(claireThread.Select(m => m.Body), Is.EqualTo(new[] { "Pouvez-vous passer voir Mme D. demain ?", "Oui, vers 9 h.", "Merci !" }));
        Assert.That(julienThread.Select(m => m.MessageId), Is.EqualTo(claireThread.Select(m => m.MessageId)));
        Assert.That((await julien.ConversationStore.ListAsync()).Count(c => c.Membership.Contains(Claire.Address)), Is.EqualTo(1));
    }

    [Test]
    public async Task A_removed_group_member_gets_nothing_after_and_cannot_write()
    {
        await using var claire = await MissInstance.StartAsync(Claire);
        await using var julien = await MissInstance.StartAsync(Julien);
        await using var sophie = await MissInstance.StartAsync(Sophie);
        var group = await claire.Conversations.CreateGroupAsync("Soins de Mme D.", [Julien.Address, Sophie.Address]);

        var hello = await claire.Conversations.SendTextAsync(group.Id, "Bonjour à tous");
        var atSophie = await TestWait.ForAsync(() => sophie.Store.GetAsync(hello.MessageId), Patience, "the first message at Sophie's");
        await TestWait.ForAsync(() => julien.Store.GetAsync(hello.MessageId), Patience, "the first message at Julien's");

        var removal = await claire.Conversations.RemoveMemberAsync(group.Id, Sophie.Address);
        await TestWait.ForAsync(() => sophie.Store.GetAsync(removal.MessageId), Patience, "the removal at Sophie's");
        await TestWait.ForAsync(() => julien.Store.GetAsync(removal.MessageId), Patience, "the removal at Julien's");
        var after = await claire.Conversations.SendTextAsync(group.Id, "Suite, sans la pharmacie");
        var atJulien = await TestWait.ForAsync(() => julien.Store.GetAsync(after.MessageId), Patience, "the next message at Julien's");

        Assert.That(after.Recipients, Is.EqualTo(new[] { Julien.Address }));
        Assert.That(await sophie.Store.GetAsync(after.MessageId), Is.Null, "nothing reaches the removed member");
        var sophieSide = await sophie.ConversationStore.GetAsync(atSophie.Conversation!.Value);
        Assert.That(sophieSide!.Membership.Contains(Sophie.Address), Is.False, "the removed member's side knows");
        Assert.That(sophieSide.Name, Is.EqualTo("Soins de Mme D."));
        await Assert.ThrowsAsync<InvalidOperationException>(() => sophie.Conversations.SendTextAsync(sophieSide.Id, "encore moi"));
        var julienSide = await julien.ConversationStore.GetAsync(atJulien.Conversation!.Value);
        Assert.That(julienSide!.Membership.Members, Is.EqualTo(new[] { Claire.Address, Julien.Address }));
        var raw = System.Text.Encoding.Latin1.GetString((await MailServerFixture.FetchRawAsync(Julien, after.MessageId))!);
        Assert.That(raw, Does.Not.Contain("Soins de Mme D").And.Not.Contain(Sophie.Address), "neither the group's name nor its members on the server");
    }

    [Test]
    public async Task Two_concurrent_membership_changes_converge_on_every_side()
    {
        await using var claire = await MissInstance.StartAsync(Claire);
        await using var julien = await MissInstance.StartAsync(Julien);
        await using var sophie = await MissInstance.StartAsync(Sophie);
        await using var marc = await MissInstance.StartAsync(Marc);
        var group = await claire.Conversations.CreateGroupAsync("Sortie d'hospitalisation", [Julien.Address, Sophie.Address]);
        var hello = await claire.Conversations.SendTextAsync(group.Id, "Retour à domicile lundi");
        var julienGroup = (await TestWait.ForAsync(() => julien.Store.GetAsync(hello.MessageId), Patience, "the group at Julien's")).Conversation!.Value;
        var sophieGroup = (await TestWait.ForAsync(() => sophie.Store.GetAsync(hello.MessageId), Patience, "the group at Sophie's")).Conversation!.Value;

        // At the same moment, before either hears of the other: Claire adds Marc, Julien removes Sophie.
        var added = await claire.Conversations.AddMemberAsync(group.Id, Marc.Address);
        var removed = await julien.Conversations.RemoveMemberAsync(julienGroup, Sophie.Address);
        await TestWait.ForAsync(() => claire.Store.GetAsync(removed.MessageId), Patience, "Julien's change at Claire's");
        await TestWait.ForAsync(() => julien.Store.GetAsync(added.MessageId), Patience, "Claire's change at Julien's");
        await TestWait.ForAsync(() => sophie.Store.GetAsync(added.MessageId), Patience, "Claire's change at Sophie's");
        await TestWait.ForAsync(() => sophie.Store.GetAsync(removed.MessageId), Patience, "Julien's change at Sophie's");
        // Marc joined before Julien's change reached Claire; the next group message brings him up to date.
        var next = await claire.Conversations.SendTextAsync(group.Id, "Bienvenue Marc");
        var marcGroup = (await TestWait.ForAsync(() => marc.Store.GetAsync(next.MessageId), Patience, "the next message at Marc's")).Conversation!.Value;

        string[] expected = [Claire.Address, Julien.Address, Marc.Address];
        Assert.That((await claire.ConversationStore.GetAsync(group.Id))!.Membership.Members, Is.EqualTo(expected));
        Assert.That((await julien.ConversationStore.GetAsync(julienGroup))!.Membership.Members, Is.EqualTo(expected));
        Assert.That((await sophie.ConversationStore.GetAsync(sophieGroup))!.Membership.Members, Is.EqualTo(expected));
        Assert.That((await marc.ConversationStore.GetAsync(marcGroup))!.Membership.Members, Is.EqualTo(expected));
    }

    [Test]
    public async Task A_read_receipt_turns_the_message_to_read_on_the_senders_side()
    {
        await using var claire = await MissInstance.StartAsync(Claire);
        await using var julien = await MissInstance.StartAsync(Julien);
        var first = await claire.SendDirectAsync(Julien, "Résultat de la NFS en pièce jointe demain");
        var second = await claire.Conversations.SendTextAsync(first.Conversation!.Value, "Et la CRP aussi");
        await TestWait.ForAsync(() => julien.Store.GetAsync(first.MessageId), Patience, "the first message at Julien's");
        await TestWait.ForAsync(() => julien.Store.GetAsync(second.MessageId), Patience, "the second message at Julien's");

        Assert.That(await julien.Conversations.MarkReadAsync([first.MessageId, second.MessageId]), Is.EqualTo(2));

        foreach (var sent in new[] { first, second })
        {
            var states = await TestWait.ForAsync(async () =>
                (await claire.Store.RecipientStatesAsync(sent.Id)) is [{ State: DeliveryState.Read }] s ? s : null, Patience, "the read state");
            Assert.That(states[0].Address, Is.EqualTo(Julien.Address));
        }
        var receipts = (await julien.Store.ListAsync(50)).Where(m => m.Kind == MessageKind.Receipt).ToList();
        Assert.That(receipts, Has.Count.EqualTo(1), "one receipt for the batch");
        Assert.That(await claire.Store.ListConversationAsync(first.Conversation!.Value), Has.Count.EqualTo(2), "receipts are not chat messages");
    }

    [Test]
    public async Task Read_receipts_turned_off_send_none()
    {
        await using var claire = await MissInstance.StartAsync(Claire);
        await using var julien = await MissInstance.StartAsync(Julien);
        var message = await claire.SendDirectAsync(Julien, "Pas d'accusé");
        var atJulien = await TestWait.ForAsync(() => julien.Store.GetAsync(message.MessageId), Patience, "the message at Julien's");
        await julien.Conversations.SetReadReceiptsAsync(atJulien.Conversation!.Value, false);

        await julien.Conversations.MarkReadAsync([message.MessageId]);

        Assert.That((await julien.Store.ListAsync(50)).Where(m => m.Kind == MessageKind.Receipt), Is.Empty);
        Assert.That((await julien.Store.GetAsync(message.MessageId))!.ReadAt, Is.Not.Null, "read here all the same");
    }

    [Test]
    public async Task A_message_to_a_mailbox_that_does_not_exist_fails_with_the_servers_reason()
    {
        await using var claire = await MissInstance.StartAsync(Claire);
        // A valid certificate for an address the mail server does not serve: the refusal comes from the server itself.
        var conversation = await ConversationWithCertifiedAddressAsync(claire, "dr.fantome@" + DevPki.Domain);

        var sent = await claire.Conversations.SendTextAsync(conversation.Id, "Bonjour ?");

        var failed = await TestWait.ForAsync(async () => await claire.Store.GetAsync(sent.MessageId) is { State: MessageState.Failed } m ? m : null,
            Patience, "the failure");
        Assert.That(failed.Error, Does.Contain("550"));
        Assert.That(failed.Error, Does.Contain("5.1.1"));
        var states = await claire.Store.RecipientStatesAsync(sent.Id);
        Assert.That(states.Single().State, Is.EqualTo(DeliveryState.Failed));
    }

    [Test]
    public async Task A_group_message_still_reaches_the_members_whose_certificate_is_known()
    {
        await using var claire = await MissInstance.StartAsync(Claire);
        await using var julien = await MissInstance.StartAsync(Julien);
        var stranger = "inconnu@" + DevPki.Domain;
        var group = await claire.Conversations.CreateGroupAsync("Avec un inconnu", [Julien.Address, stranger]);

        var sent = await claire.Conversations.SendTextAsync(group.Id, "Pour les membres joignables");

        await TestWait.ForAsync(() => julien.Store.GetAsync(sent.MessageId), Patience, "the message at Julien's");
        var states = await claire.Store.RecipientStatesAsync(sent.Id);
        Assert.That(states.Single(s => s.Address == stranger).State, Is.EqualTo(DeliveryState.Failed));
        Assert.That(states.Single(s => s.Address == stranger).Reason, Does.Contain("certificat"));
        Assert.That(states.Single(s => s.Address == Julien.Address).State, Is.Not.EqualTo(DeliveryState.Failed));
    }

    [Test]
    public async Task A_sent_message_turns_delivered_from_the_servers_report_and_is_kept_in_the_senders_Sent_folder()
    {
        await using var claire = await MissInstance.StartAsync(Claire);

        var sent = await claire.SendDirectAsync(Julien, "Compte rendu de passage : pansement refait.");

        var states = await TestWait.ForAsync(async () =>
            (await claire.Store.RecipientStatesAsync(sent.Id)) is [{ State: DeliveryState.Delivered }] s ? s : null, Patience, "the delivered state");
        Assert.That(states[0].Address, Is.EqualTo(Julien.Address));
        Assert.That(await claire.Store.ListQuarantineAsync(), Is.Empty, "the delivery report was matched, not kept apart");

        var copy = await TestWait.ForAsync(() => MailServerFixture.FetchRawAsync(Claire, sent.MessageId, "Sent"), Patience, "the copy in Sent");
        var opened = OpenAsClaire(copy);
        Assert.That(opened.IsVerified, Is.True, opened.Detail);
        Assert.That(((MimeKit.TextPart)opened.Content!).Text, Does.StartWith("Compte rendu de passage"));
    }

    /// <summary>Opens a raw message as Claire: her own copy is encrypted for her too.</summary>
    static MiSS.Core.Secure.OpenedMessage OpenAsClaire(byte[] raw)
    {
        var pki = MailServerFixture.Pki;
        var trust = MiSS.Core.Secure.SmimeTrust.FromPemFiles(pki.TrustAnchorsPath, pki.IntermediatesPath,
            System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck, TimeProvider.System);
        return new MiSS.Core.Secure.SmimeOpener(trust, pki.LoadPractitioner(Claire)).Open(MiSS.Core.Messaging.MimeLoader.LoadMessage(raw));
    }

    [Test]
    public async Task A_bounce_from_the_mail_system_turns_the_recipient_to_failed_with_its_reason()
    {
        await using var claire = await MissInstance.StartAsync(Claire);
        // Accepted at submission, then bounced: the failure arrives later, as an RFC 3464 report in Claire's inbox.
        var conversation = await ConversationWithCertifiedAddressAsync(claire, "dr.distant@" + LocalMailServer.BouncingDomain);

        var sent = await claire.Conversations.SendTextAsync(conversation.Id, "Message qui ne sera pas distribué");

        var states = await TestWait.ForAsync(async () =>
            (await claire.Store.RecipientStatesAsync(sent.Id)) is [{ State: DeliveryState.Failed }] s ? s : null, Patience, "the bounce");
        Assert.That((await claire.Store.GetAsync(sent.MessageId))!.State, Is.EqualTo(MessageState.Sent), "the server had accepted it");
        Assert.That(states[0].Reason, Does.StartWith("non distribué : ").And.Contain("5.7.1"), "the remote server's diagnostic is kept");
        Assert.That(await claire.Store.ListQuarantineAsync(), Is.Empty, "the bounce was matched to the message");
    }

    /// <summary>A direct conversation with an address for which the sender knows a valid certificate (so the message is sent).</summary>
    static async Task<Conversation> ConversationWithCertifiedAddressAsync(MissInstance sender, string address)
    {
        var certificate = MailServerFixture.Pki.IssuePractitionerCertificate(Julien, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1), address);
        await sender.Store.SaveCertificateAsync(address, certificate, "test");
        return await sender.Conversations.StartDirectAsync(address);
    }
}
