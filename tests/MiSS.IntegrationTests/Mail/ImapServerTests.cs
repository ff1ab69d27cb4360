using System.Diagnostics;
using System.Text;
using MiSS.Mail;
using MiSS.Mail.Imap;
using MiSS.Mail.Tls;
using static MiSS.IntegrationTests.Mail.MailTestSupport;

namespace MiSS.IntegrationTests.Mail;

/// <summary>
/// ImapClient against the real Dovecot 2.3: every command in mailboxes the test creates (and deletes), never in an
/// INBOX that other tests use.
/// </summary>
[CancelAfter(120_000)]
public class ImapServerTests
{
    readonly List<string> _created = [];

    [TearDown]
    public async Task DeleteCreatedMailboxesAsync()
    {
        WriteServerLogsIfFailed();
        await DeleteMailboxesAsync([.. _created]);
        _created.Clear();
    }

    async Task<string> CreateMailboxAsync(ImapClient imap, string prefix)
    {
        var name = UniqueName(prefix);
        _created.Add(name);
        await imap.CreateMailboxAsync(name);
        return name;
    }

    [Test]
    public async Task STARTTLS_then_LOGIN_and_the_capabilities_after_login()
    {
        await using var imap = new ImapClient();
        await imap.ConnectAsync(Host, MailServerFixture.Server.Ports.Imap, MailSecurity.StartTls, MailServerFixture.Tls);
        Assert.That(imap.IsSecure, Is.True);
        Assert.That(imap.Capabilities, Does.Contain("AUTH=PLAIN").And.Not.Contain("LOGINDISABLED"));

        await imap.LoginAsync(Owner.Address, Password(Owner));

        Assert.That(imap.IsAuthenticated, Is.True);
        Assert.That(imap.Capabilities, Is.SupersetOf(new[] { "IDLE", "UIDPLUS", "MOVE", "SPECIAL-USE", "LITERAL+" }));
        await imap.LogoutAsync();
        Assert.That(imap.IsConnected, Is.False);
    }

    [Test]
    public async Task Implicit_TLS_then_AUTHENTICATE_PLAIN()
    {
        await using var imap = new ImapClient();
        await imap.ConnectAsync(Host, MailServerFixture.Server.Ports.Imaps, MailSecurity.ImplicitTls, MailServerFixture.Tls);
        Assert.That(imap.IsSecure, Is.True);
        Assert.That(imap.Capabilities, Does.Contain("SASL-IR"));

        await imap.AuthenticateAsync(Owner.Address, Password(Owner));

        Assert.That(imap.IsAuthenticated, Is.True);
        Assert.That(imap.Capabilities, Does.Contain("UIDPLUS"), "capabilities refreshed after authentication");
        var inbox = await imap.ExamineAsync("INBOX");
        Assert.That(inbox.UidValidity, Is.Not.Zero);
        await imap.LogoutAsync();
    }

    [Test]
    public async Task AUTHENTICATE_PLAIN_with_a_wrong_password_is_refused_without_the_password_in_the_error()
    {
        await using var imap = new ImapClient();
        await imap.ConnectAsync(Host, MailServerFixture.Server.Ports.Imaps, MailSecurity.ImplicitTls, MailServerFixture.Tls);

        var ex = await Assert.ThrowsAsync<ImapCommandException>(() => imap.AuthenticateAsync(Owner.Address, "not-the-password-987"));

        Assert.Multiple(() =>
        {
            Assert.That(ex!.Status, Is.EqualTo("NO"));
            Assert.That(ex.ResponseCode, Is.EqualTo("AUTHENTICATIONFAILED"));
            Assert.That(ex.ToString(), Does.Not.Contain("not-the-password-987"));
            Assert.That(imap.IsAuthenticated, Is.False);
        });
    }

    [Test]
    public async Task Without_TLS_credentials_are_refused_by_the_client_even_though_the_server_would_accept_them()
    {
        await using var imap = new ImapClient();
        await imap.ConnectAsync(Host, MailServerFixture.Server.Ports.Imap, MailSecurity.None, MailServerFixture.Tls);

        // Dovecot counts loopback connections as secure and offers plaintext authentication on them.
        Assert.That(imap.Capabilities, Does.Contain("AUTH=PLAIN").And.Not.Contain("LOGINDISABLED"));
        await Assert.ThrowsAsync<MailTlsException>(() => imap.AuthenticateAsync(Owner.Address, Password(Owner)));
        await Assert.ThrowsAsync<MailTlsException>(() => imap.LoginAsync(Owner.Address, Password(Owner)));
        await imap.LogoutAsync();
    }

    [Test]
    public async Task LIST_shows_the_Sent_special_use_and_CREATE_and_DELETE_work_with_non_ASCII_names()
    {
        await using var imap = await OpenImapAsync();
        var name = UniqueName("Ärzte-Befunde-台北");
        _created.Add(name);

        await imap.CreateMailboxAsync(name);
        var duplicate = await Assert.ThrowsAsync<ImapCommandException>(() => imap.CreateMailboxAsync(name));
        var listed = await imap.ListMailboxesAsync();

        Assert.Multiple(() =>
        {
            Assert.That(duplicate!.ResponseCode, Is.EqualTo("ALREADYEXISTS"));
            Assert.That(listed.Select(m => m.Name), Does.Contain("INBOX").And.Contain(name));
            Assert.That(listed.Single(m => m.SpecialUse == @"\Sent").Name, Is.EqualTo("Sent"));
            Assert.That(listed.Single(m => m.Name == name).Delimiter, Is.EqualTo("/"));
            Assert.That(listed.All(m => m.CanSelect), Is.True);
        });
        var opened = await imap.SelectAsync(name);
        Assert.That(opened.Exists, Is.Zero);

        await imap.DeleteMailboxAsync(name);
        Assert.That((await imap.ListMailboxesAsync()).Select(m => m.Name), Does.Not.Contain(name));
        Assert.That(imap.SelectedMailbox, Is.Null);
        await imap.LogoutAsync();
    }

    [Test]
    public async Task APPEND_returns_APPENDUID_and_SELECT_and_EXAMINE_report_UIDVALIDITY_UIDNEXT_and_EXISTS()
    {
        await using var imap = await OpenImapAsync();
        var folder = await CreateMailboxAsync(imap, "select");
        var empty = await imap.SelectAsync(folder);
        var first = await imap.AppendAsync(folder, Message("one", "first", out _));
        var second = await imap.AppendAsync(folder, Message("two", "second", out _));

        var selected = await imap.SelectAsync(folder);
        var examined = await imap.ExamineAsync(folder);

        Assert.Multiple(() =>
        {
            Assert.That(empty.UidValidity, Is.Not.Zero);
            Assert.That(first, Is.EqualTo(empty.UidNext));
            Assert.That(second, Is.EqualTo(first + 1));
            Assert.That(selected, Is.EqualTo(new ImapMailbox(folder, empty.UidValidity, second!.Value + 1, 2)));
            Assert.That(selected.ReadOnly, Is.False);
            Assert.That(examined.ReadOnly, Is.True);
            Assert.That((examined.UidValidity, examined.UidNext, examined.Exists), Is.EqualTo((selected.UidValidity, selected.UidNext, 2)));
        });

        // EXAMINE is read-only: Dovecot answers a flag change with "OK Store ignored" (others say NO); nothing changes.
        try
        {
            await imap.UidStoreFlagsAsync($"{first}", ImapStoreMode.Add, [@"\Flagged"]);
        }
        catch (ImapCommandException ex)
        {
            Assert.That(ex.Status, Is.EqualTo("NO"));
        }
        Assert.That(Flags((await imap.UidFetchSummariesAsync($"{first}")).Single()), Is.Empty);
        await imap.LogoutAsync();
    }

    [Test]
    public async Task UID_FETCH_summaries_report_flags_sizes_internal_dates_and_exact_headers()
    {
        await using var imap = await OpenImapAsync();
        var folder = await CreateMailboxAsync(imap, "summary");
        var plain = Message("plain", "no flags", out _);
        var flagged = Message("flagged", "with flags and a date", out _);
        var date = new DateTimeOffset(2024, 2, 29, 23, 59, 58, TimeSpan.FromHours(-5));
        var uid1 = await imap.AppendAsync(folder, plain);
        var uid2 = await imap.AppendAsync(folder, flagged, [@"\Seen", @"\Flagged", "$MissTest"], date);
        await imap.SelectAsync(folder);

        var all = await imap.UidFetchSummariesAsync("1:*");
        var some = await imap.UidFetchSummariesAsync($"{uid2},{uid2 + 50}");

        Assert.That(all.Select(s => s.Uid), Is.EqualTo(new[] { uid1!.Value, uid2!.Value }));
        Assert.Multiple(() =>
        {
            Assert.That(Flags(all[0]), Is.Empty);
            Assert.That(all[0].Size, Is.EqualTo(plain.Length));
            Assert.That(all[0].Headers, Is.EqualTo(HeaderSection(plain)));
            Assert.That(all[0].InternalDate, Is.EqualTo(DateTimeOffset.Now).Within(TimeSpan.FromMinutes(5)));
            Assert.That(Flags(all[1]), Is.EquivalentTo(new[] { @"\Seen", @"\Flagged", "$MissTest" }));
            Assert.That(all[1].Size, Is.EqualTo(flagged.Length));
            Assert.That(all[1].Headers, Is.EqualTo(HeaderSection(flagged)));
            Assert.That(all[1].InternalDate, Is.EqualTo(date), "the same instant, whatever zone the server answers in");
            Assert.That(some.Select(s => s.Uid), Is.EqualTo(new[] { uid2!.Value }), "a UID that does not exist is simply absent");
        });

        // BODY.PEEK: fetching the headers did not set \Seen.
        Assert.That(Flags((await imap.UidFetchSummariesAsync($"{uid1}")).Single()), Is.Empty);
        Assert.That(await imap.UidSearchAsync("SEEN"), Is.EqualTo(new[] { uid2!.Value }));
        Assert.That(await imap.UidFetchMessageAsync(uid2.Value + 50), Is.Null);
        await imap.LogoutAsync();
    }

    [Test]
    public async Task A_10_MB_message_appended_comes_back_identical_byte_for_byte()
    {
        await using var imap = await OpenImapAsync();
        var folder = await CreateMailboxAsync(imap, "large");
        var message = LargeMessage(10 * 1024 * 1024);

        var uid = await imap.AppendAsync(folder, message);
        await imap.SelectAsync(folder);
        var summary = (await imap.UidFetchSummariesAsync($"{uid}")).Single();
        var fetched = await imap.UidFetchMessageAsync(uid!.Value);

        Assert.That(summary.Size, Is.EqualTo(message.Length));
        Assert.That(fetched, Is.Not.Null);
        Assert.That(fetched!.Length, Is.EqualTo(message.Length));
        Assert.That(fetched.AsSpan().SequenceEqual(message), Is.True, "the fetched bytes differ from the appended ones");
        await imap.LogoutAsync();
    }

    [Test]
    public async Task UID_STORE_adds_removes_and_replaces_flags()
    {
        await using var imap = await OpenImapAsync();
        var folder = await CreateMailboxAsync(imap, "store");
        var a = (await imap.AppendAsync(folder, Message("a", "a", out _)))!.Value;
        var b = (await imap.AppendAsync(folder, Message("b", "b", out _)))!.Value;
        await imap.SelectAsync(folder);

        await imap.UidStoreFlagsAsync($"{a}:{b}", ImapStoreMode.Add, [@"\Seen", "$Urgent"]);
        var added = await FlagsAsync(imap);
        await imap.UidStoreFlagsAsync($"{a}", ImapStoreMode.Remove, ["$Urgent"]);
        var removed = await FlagsAsync(imap);
        await imap.UidStoreFlagsAsync($"{b}", ImapStoreMode.Replace, [@"\Answered"]);
        var replaced = await FlagsAsync(imap);
        await imap.UidStoreFlagsAsync($"{a}", ImapStoreMode.Replace, []);
        var cleared = await FlagsAsync(imap);

        Assert.Multiple(() =>
        {
            Assert.That(added[a], Is.EquivalentTo(new[] { @"\Seen", "$Urgent" }));
            Assert.That(added[b], Is.EquivalentTo(new[] { @"\Seen", "$Urgent" }));
            Assert.That(removed[a], Is.EquivalentTo(new[] { @"\Seen" }));
            Assert.That(replaced[b], Is.EquivalentTo(new[] { @"\Answered" }));
            Assert.That(cleared[a], Is.Empty);
            Assert.That(imap.HasPendingChanges, Is.False, ".SILENT: our own changes are not echoed as changes");
        });
        await imap.LogoutAsync();
    }

    [Test]
    public async Task UID_EXPUNGE_removes_only_the_given_deleted_messages_and_EXPUNGE_the_rest()
    {
        await using var imap = await OpenImapAsync();
        var folder = await CreateMailboxAsync(imap, "expunge");
        var uids = new List<uint>();
        for (var i = 0; i < 3; i++)
        {
            uids.Add((await imap.AppendAsync(folder, Message($"m{i}", $"m{i}", out _)))!.Value);
        }
        await imap.SelectAsync(folder);

        await imap.UidStoreFlagsAsync($"{uids[0]},{uids[1]}", ImapStoreMode.Add, [@"\Deleted"]);
        await imap.UidExpungeAsync($"{uids[0]}");
        var afterUidExpunge = await imap.UidSearchAsync("ALL");
        var countAfterUidExpunge = imap.SelectedMailbox!.Exists;
        await imap.ExpungeAsync();

        Assert.Multiple(() =>
        {
            Assert.That(afterUidExpunge, Is.EqualTo(new[] { uids[1], uids[2] }), "the other \\Deleted message stays");
            Assert.That(countAfterUidExpunge, Is.EqualTo(2));
            Assert.That(imap.SelectedMailbox!.Exists, Is.EqualTo(1));
            Assert.That(imap.HasPendingChanges, Is.False, "our own expunges do not wake IDLE");
        });
        Assert.That(await imap.UidSearchAsync("ALL"), Is.EqualTo(new[] { uids[2] }));
        await imap.LogoutAsync();
    }

    [Test]
    public async Task UID_MOVE_and_UID_COPY_return_the_COPYUID_mapping()
    {
        await using var imap = await OpenImapAsync();
        var source = await CreateMailboxAsync(imap, "move-from");
        var target = await CreateMailboxAsync(imap, "move-to");
        var messages = Enumerable.Range(0, 3).Select(i => Message($"move {i}", $"body {i}", out _)).ToArray();
        var uids = new List<uint>();
        foreach (var message in messages)
        {
            uids.Add((await imap.AppendAsync(source, message))!.Value);
        }
        var targetState = await imap.ExamineAsync(target);
        await imap.SelectAsync(source);

        var moved = await imap.UidMoveAsync($"{uids[0]},{uids[2]}", target);
        var remaining = await imap.UidSearchAsync("ALL");
        var copied = await imap.UidCopyAsync($"{uids[1]}", target);

        Assert.That(moved, Is.Not.Null);
        Assert.That(copied, Is.Not.Null);
        Assert.Multiple(() =>
        {
            Assert.That(moved!.DestinationUidValidity, Is.EqualTo(targetState.UidValidity));
            Assert.That(moved.Uids.Keys, Is.EquivalentTo(new[] { uids[0], uids[2] }));
            Assert.That(remaining, Is.EqualTo(new[] { uids[1] }));
            Assert.That(imap.SelectedMailbox!.Exists, Is.EqualTo(1));
            Assert.That(copied!.Uids.Keys, Is.EqualTo(new[] { uids[1] }));
        });

        await imap.SelectAsync(target);
        Assert.That(await imap.UidFetchMessageAsync(moved!.Uids[uids[0]]), Is.EqualTo(messages[0]));
        Assert.That(await imap.UidFetchMessageAsync(moved.Uids[uids[2]]), Is.EqualTo(messages[2]));
        Assert.That(await imap.UidFetchMessageAsync(copied!.Uids[uids[1]]), Is.EqualTo(messages[1]));
        Assert.That(imap.SelectedMailbox!.Exists, Is.EqualTo(3));
        await imap.LogoutAsync();
    }

    [Test]
    public async Task APPEND_to_a_missing_mailbox_is_refused_with_TRYCREATE()
    {
        await using var imap = await OpenImapAsync();

        var ex = await Assert.ThrowsAsync<ImapCommandException>(() => imap.AppendAsync(UniqueName("missing"), Message("x", "x", out _)));

        Assert.That(ex!.ResponseCode, Is.EqualTo("TRYCREATE"));
        Assert.That(imap.IsConnected, Is.True);
        await imap.LogoutAsync();
    }

    [Test]
    public async Task IDLE_is_woken_by_a_message_delivered_into_the_watched_mailbox()
    {
        await using var imap = await OpenImapAsync();
        var folder = await CreateMailboxAsync(imap, "idle");
        var state = await imap.SelectAsync(folder);
        var message = Message("idle", "wake up", out var messageId);

        var idle = imap.IdleAsync(TimeSpan.FromSeconds(60));
        await Task.Delay(300);
        var watch = Stopwatch.StartNew();
        await MailServerFixture.Server.DeliverRawAsync(Owner.Address, message, folder);
        var result = await idle.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Multiple(() =>
        {
            Assert.That(state.Exists, Is.Zero);
            Assert.That(result, Is.EqualTo(new ImapIdleResult(true, 1)));
            Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)), "IDLE must return on the EXISTS, not at its end");
        });
        var uid = await WaitForMessageAsync(imap, messageId);
        Assert.That(await imap.UidFetchMessageAsync(uid), Is.EqualTo(message));
        await imap.LogoutAsync();
    }

    static async Task<Dictionary<uint, string[]>> FlagsAsync(ImapClient imap) =>
        (await imap.UidFetchSummariesAsync("1:*")).ToDictionary(s => s.Uid, Flags);

    /// <summary>The flags without \Recent, which Dovecot sets by itself on new messages (a session flag, gone in IMAP4rev2).</summary>
    static string[] Flags(ImapMessageSummary summary) => summary.Flags.Where(f => f != @"\Recent").ToArray();

    /// <summary>A message of about <paramref name="size"/> bytes: CRLF lines of printable and 8-bit bytes (no NUL, no bare CR or LF).</summary>
    static byte[] LargeMessage(int size)
    {
        var header = Encoding.ASCII.GetBytes(
            $"From: {Owner.Address}\r\nTo: {Owner.Address}\r\nSubject: large\r\nMessage-ID: <{Guid.NewGuid():N}@it.miss.test>\r\n"
            + "MIME-Version: 1.0\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: 8bit\r\n\r\n");
        var message = new byte[size];
        header.CopyTo(message, 0);
        var random = new Random(20240229);
        var i = header.Length;
        while (i < size)
        {
            var remaining = size - i;
            var lineLength = remaining <= 1000 ? remaining - 2 : remaining == 1001 ? 997 : 998;
            for (var k = 0; k < lineLength; k++)
            {
                byte b;
                do
                {
                    b = (byte)random.Next(1, 256);
                }
                while (b is (byte)'\r' or (byte)'\n');
                message[i++] = b;
            }
            message[i++] = (byte)'\r';
            message[i++] = (byte)'\n';
        }
        return message;
    }
}
