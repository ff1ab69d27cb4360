using System.Diagnostics;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using MailKit;
using MailKit.Net.Smtp;
using MiSS.Core.Configuration;
using MiSS.Core.Transport;
using static MiSS.IntegrationTests.Mail.MailTestSupport;

namespace MiSS.IntegrationTests.Mail;

/// <summary>
/// The one test that stops the shared Dovecot: a client waiting in IDLE when the server goes away must hear of it
/// promptly as a transport failure (<see cref="TransportFailure"/>), not hang until its IDLE would have ended. Dovecot is
/// started again in every case before the test ends.
/// </summary>
[NonParallelizable]
[CancelAfter(120_000)]
public class ImapConnectionLossTests
{
    [TearDown]
    public void WriteLogsOnFailure() => WriteServerLogsIfFailed();

    [Test]
    public async Task A_server_stopped_during_IDLE_is_reported_as_a_connection_failure_at_once()
    {
        var server = MailServerFixture.Server;
        var folder = UniqueName("dropped");

        // Submission sessions authenticated through Dovecot before the stop (three at once, so that several smtpd
        // processes have talked to its auth service): after the restart submission must authenticate again.
        var before = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => OpenSubmissionAsync()));
        foreach (var smtp in before)
        {
            await smtp.DisconnectAsync(true);
            smtp.Dispose();
        }

        var imap = await OpenImapAsync();
        try
        {
            var created = await imap.GetFolder(imap.PersonalNamespaces[0]).CreateAsync(folder, isMessageFolder: true);
            await created!.OpenAsync(FolderAccess.ReadWrite);
            using var done = new CancellationTokenSource(TimeSpan.FromMinutes(10));
            var idle = imap.IdleAsync(done.Token);
            var watch = Stopwatch.StartNew();

            // A bare TLS session idling beside the client shows when the server really closes its sessions (Dovecot
            // closes them all within about a second of each other).
            var observer = ObserveCloseAsync(watch);
            await Task.Delay(300);
            Assert.That(idle.IsCompleted, Is.False, "IDLE should be waiting");

            Exception? failure = null;
            TimeSpan reportedAfter, closedAfter;
            try
            {
                var stopAsked = watch.Elapsed;
                await server.StopDovecotAsync();
                try
                {
                    await idle.WaitAsync(TimeSpan.FromSeconds(30));
                }
                catch (Exception e) when (e is not TimeoutException)
                {
                    failure = e;
                }
                reportedAfter = watch.Elapsed - stopAsked;
                closedAfter = await observer.WaitAsync(TimeSpan.FromSeconds(30)) - stopAsked;
            }
            finally
            {
                await server.StartDovecotAsync();
                await ReconnectPostfixToDovecotAuthAsync();
            }

            TestContext.Out.WriteLine($"server closed the sessions {closedAfter} after the stop was asked; the client reported it after {reportedAfter} ({failure?.GetType().Name})");
            Assert.Multiple(() =>
            {
                // Dovecot takes several seconds to shut its sessions down (it says BYE, then closes); the client reports
                // the close as soon as it happens, far before the 10 min IDLE.
                Assert.That(failure, Is.Not.Null, "IDLE ended without an error");
                Assert.That(TransportFailure.Is(failure!), Is.True, $"{failure?.GetType().Name} is not a transport failure");
                Assert.That(TransportFailure.Describe(failure!), Does.Contain("connexion au serveur de messagerie"));
                Assert.That(reportedAfter, Is.LessThan(TimeSpan.FromSeconds(20)));
                Assert.That(reportedAfter - closedAfter, Is.LessThan(TimeSpan.FromSeconds(2)), $"closed after {closedAfter}, reported after {reportedAfter}");
                Assert.That(imap.IsConnected, Is.False);
            });
            var again = await Assert.ThrowsAsync<ServiceNotConnectedException>(() => imap.NoOpAsync());
            Assert.That(TransportFailure.Is(again!), Is.True);
        }
        finally
        {
            imap.Dispose();
        }

        // The restarted server serves new connections; the test's mailbox is removed.
        using (var after = await OpenSubmissionAsync())
        {
            await after.DisconnectAsync(true);
        }
        using var fresh = await OpenImapAsync();
        var mailbox = await fresh.GetFolderAsync(folder);
        await mailbox.DeleteAsync();
        await fresh.DisconnectAsync(true);
    }

    /// <summary>
    /// Postfix's smtpd processes authenticate through a connection to Dovecot's auth service that they keep. Once, in a
    /// full run, a submission AUTH after this restart was answered 454 "Connection lost to authentication server"; so
    /// before the tests that follow, authenticate over several simultaneous connections (reaching several smtpd
    /// processes) until a whole round succeeds.
    /// </summary>
    static async Task ReconnectPostfixToDovecotAuthAsync()
    {
        const int connections = 4;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var options = MailServerFixture.MailboxOptions(Owner);
            var results = await Task.WhenAll(Enumerable.Range(0, connections).Select(async _ =>
            {
                try
                {
                    using var smtp = await options.OpenSmtpAsync(Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, CancellationToken.None);
                    await smtp.DisconnectAsync(true);
                    return true;
                }
                catch (SmtpCommandException ex) when ((int)ex.StatusCode is >= 400 and < 500)
                {
                    return false;
                }
            }));
            TestContext.Out.WriteLine($"AUTH through the restarted Dovecot: {results.Count(ok => ok)} of {connections} succeeded");
            if (results.All(ok => ok))
            {
                return;
            }
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail("Postfix could not authenticate through the restarted Dovecot within 30 s");
            }
        }
    }

    /// <summary>Logs in over a bare TLS stream, idles, and returns the time on <paramref name="watch"/> when the server closed.</summary>
    static async Task<TimeSpan> ObserveCloseAsync(Stopwatch watch)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(MailServerFixture.Server.Host, MailServerFixture.Server.Ports.Imaps);
        await using var tls = new SslStream(tcp.GetStream());
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = Host,
            // An observer of the close only: the server certificate is not what this test is about.
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
        });
        var login = $"o1 LOGIN \"{Owner.Address}\" \"{Password(Owner)}\"\r\no2 SELECT INBOX\r\no3 IDLE\r\n";
        await tls.WriteAsync(Encoding.ASCII.GetBytes(login));
        var buffer = new byte[4096];
        try
        {
            while (await tls.ReadAsync(buffer) > 0)
            {
            }
        }
        catch (IOException)
        {
            // A reset is a close as well.
        }
        return watch.Elapsed;
    }
}
